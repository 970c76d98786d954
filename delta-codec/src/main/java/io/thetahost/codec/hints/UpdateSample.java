package io.thetahost.codec.hints;

import io.thetahost.codec.encode.LowRankFactors;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.numeric.Elements;
import io.thetahost.codec.numeric.FloatElements;
import io.thetahost.protocol.tensor.DType;
import java.io.IOException;
import java.io.InputStream;

/**
 * A sample of an update {@code f32(target) - f32(base)} of an m x n matrix, for inferring what an adapter's
 * config would have said: the scale, and the orientation of a square module. Rows are sampled evenly; memory is the
 * sample only.
 */
public final class UpdateSample {
    /** Rows kept at most: enough for a stable fit, small enough for any matrix. */
    static final int MAX_ROWS = 64;

    private final int columns;
    private final int[] rows;
    private final double[][] values;

    private UpdateSample(int columns, int[] rows, double[][] values) {
        this.columns = columns;
        this.rows = rows;
        this.values = values;
    }

    /** Reads the sampled rows of two m x n matrices of the same float dtype, a row at a time. */
    public static UpdateSample of(TensorInput target, TensorInput base) throws IOException {
        DType dtype = target.dtype();
        FloatElements f = FloatElements.of(dtype).orElseThrow(() -> new IllegalArgumentException(
                "no float math for " + dtype.formatName()));
        int width = dtype.byteSize();
        int m = Math.toIntExact(target.shape().dim(0));
        int n = Math.toIntExact(target.shape().dim(1));
        int count = Math.min(m, MAX_ROWS);
        int[] rows = new int[count];
        double[][] values = new double[count][n];
        try (InputStream t = target.open(); InputStream b = base.open()) {
            int row = 0;
            for (int s = 0; s < count; s++) {
                int i = (int) ((long) s * m / count);
                rows[s] = i;
                long skip = (long) (i - row) * n * width;
                t.skipNBytes(skip);
                b.skipNBytes(skip);
                byte[] tr = t.readNBytes(n * width);
                byte[] br = b.readNBytes(n * width);
                if (tr.length != n * width || br.length != n * width) {
                    throw new IOException("matrix ended early at row " + i);
                }
                row = i + 1;
                for (int j = 0; j < n; j++) {
                    double d = (double) f.toFloat(Elements.get(tr, j, width)) - f.toFloat(Elements.get(br, j, width));
                    values[s][j] = Double.isFinite(d) ? d : 0;
                }
            }
        }
        return new UpdateSample(n, rows, values);
    }

    /** The least-squares scale s of {@code update ~ s * B A}, snapped to a short binary fraction when one fits. */
    float fitScale(LowRankFactors unscaled) {
        double num = 0;
        double den = 0;
        for (int s = 0; s < rows.length; s++) {
            double[] p = product(unscaled, rows[s]);
            for (int j = 0; j < columns; j++) {
                num += p[j] * values[s][j];
                den += p[j] * p[j];
            }
        }
        if (den == 0) {
            return 1f;
        }
        double fitted = num / den;
        for (int bits = 0; bits <= 12; bits++) {
            double snapped = Math.rint(fitted * (1 << bits)) / (1 << bits);
            if (snapped != 0 && Math.abs(snapped - fitted) <= 1e-4 * Math.abs(fitted)) {
                return (float) snapped;
            }
        }
        return (float) fitted;
    }

    /** Whether the transposed reading of a square module's factors fits the update better. */
    boolean prefersTransposed(LowRankFactors straight, LowRankFactors transposed) {
        return error(transposed) < error(straight);
    }

    private double error(LowRankFactors unscaled) {
        float scale = fitScale(unscaled);
        double e = 0;
        for (int s = 0; s < rows.length; s++) {
            double[] p = product(unscaled, rows[s]);
            for (int j = 0; j < columns; j++) {
                double d = values[s][j] - scale * p[j];
                e += d * d;
            }
        }
        return e;
    }

    private double[] product(LowRankFactors f, int row) {
        double[] out = new double[columns];
        for (int k = 0; k < f.rank(); k++) {
            double bik = f.b()[row * f.rank() + k];
            for (int j = 0; j < columns; j++) {
                out[j] += bik * f.a()[k * columns + j];
            }
        }
        return out;
    }
}
