package io.thetahost.client.diff;

import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.numeric.Elements;
import io.thetahost.codec.numeric.FloatElements;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** The relative L2 norm of a change, ||new - old|| / ||old||, over float32 values, summed in double. */
final class RelativeChange {
    private static final int BLOCK = 1 << 20;

    private RelativeChange() {
    }

    /** Empty for dtypes without float values; infinite when old is all zeros and new is not. */
    static Optional<Double> of(TensorInput old, TensorInput now) throws IOException {
        Optional<FloatElements> f = FloatElements.of(old.dtype());
        if (f.isEmpty() || old.dtype() != now.dtype()) {
            return Optional.empty();
        }
        int width = old.dtype().byteSize();
        int block = BLOCK / width * width;
        double diff = 0;
        double base = 0;
        try (InputStream a = old.open(); InputStream b = now.open()) {
            while (true) {
                byte[] x = a.readNBytes(block);
                byte[] y = b.readNBytes(block);
                if (x.length != y.length) {
                    return Optional.empty();
                }
                if (x.length == 0) {
                    break;
                }
                for (int i = 0; i < x.length / width; i++) {
                    double u = f.get().toFloat(Elements.get(x, i, width));
                    double v = f.get().toFloat(Elements.get(y, i, width));
                    diff += (v - u) * (v - u);
                    base += u * u;
                }
            }
        }
        return Optional.of(base == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(diff / base));
    }
}
