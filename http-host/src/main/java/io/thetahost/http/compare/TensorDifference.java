package io.thetahost.http.compare;

import io.thetahost.codec.numeric.Elements;
import io.thetahost.codec.numeric.FloatElements;
import io.thetahost.protocol.tensor.DType;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The size of the change between two tensors of one dtype and shape, read side by side as streams: the relative L2
 * change (over elements that are numbers on both sides) and the fraction of elements whose bits differ. Memory: two
 * blocks of {@link #BLOCK} bytes and their floats, whatever the tensors' sizes.
 */
final class TensorDifference {
    static final int BLOCK = 256 * 1024;

    record Result(Double relativeL2, double fractionChanged) {
    }

    private TensorDifference() {
    }

    static Result of(DType dtype, long elements, InputStream before, InputStream after) throws IOException {
        // Packed types (F4, F6_*) are compared byte by byte: a byte that differs counts as one changed unit.
        boolean aligned = dtype.isByteAligned();
        int width = aligned ? dtype.byteSize() : 1;
        long units = aligned ? elements : dtype.sizeOf(elements);
        Optional<FloatElements> floats = aligned ? FloatElements.of(dtype) : Optional.empty();
        int perBlock = Math.max(1, BLOCK / width);
        byte[] a = new byte[perBlock * width];
        byte[] b = new byte[perBlock * width];
        float[] fa = new float[perBlock];
        float[] fb = new float[perBlock];
        double sumBefore = 0;
        double sumDiff = 0;
        long differing = 0;
        long done = 0;
        while (done < units) {
            int n = (int) Math.min(perBlock, units - done);
            int bytes = n * width;
            if (before.readNBytes(a, 0, bytes) != bytes || after.readNBytes(b, 0, bytes) != bytes) {
                throw new IOException("a tensor ended before its size");
            }
            if (floats.isPresent()) {
                floats.get().toFloats(a, 0, fa, n);
                floats.get().toFloats(b, 0, fb, n);
                for (int i = 0; i < n; i++) {
                    double x = fa[i];
                    double y = fb[i];
                    if (Double.isFinite(x) && Double.isFinite(y)) {
                        sumBefore += x * x;
                        sumDiff += (y - x) * (y - x);
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                if (Elements.get(a, i, width) != Elements.get(b, i, width)) {
                    differing++;
                }
            }
            done += n;
        }
        // Read on to the end, where the store's streams check the bytes against their ids.
        if (before.read() >= 0 || after.read() >= 0) {
            throw new IOException("a tensor holds more than its size");
        }
        Double relative = floats.isPresent() && sumBefore > 0 ? Math.sqrt(sumDiff) / Math.sqrt(sumBefore) : null;
        return new Result(relative, units == 0 ? 0 : (double) differing / units);
    }
}
