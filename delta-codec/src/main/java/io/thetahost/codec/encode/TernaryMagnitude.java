package io.thetahost.codec.encode;

import io.thetahost.codec.numeric.Elements;
import io.thetahost.codec.numeric.FloatElements;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Picks the one magnitude of a sparse-ternary encoding: the most common size of a change when one size dominates
 * (a true ternary update), else the median size. Reads the tensors once; memory is a fixed-size sample.
 */
final class TernaryMagnitude {
    private static final int SAMPLE = 1 << 18;

    private TernaryMagnitude() {
    }

    static Optional<Float> estimate(TensorInput target, TensorInput base, EncoderOptions options) throws IOException {
        FloatElements f = FloatElements.of(target.dtype()).orElseThrow();
        int width = target.dtype().byteSize();
        float[] sample = new float[SAMPLE];
        long seen = 0;
        SplittableRandom random = new SplittableRandom(1);
        long rowsPerChunk = Chunking.rowsPerChunk(target.dtype(), target.shape(), options.chunkBytes());
        try (ChunkedPair chunks = new ChunkedPair(target, base, rowsPerChunk)) {
            while (chunks.next()) {
                byte[] t = chunks.target();
                byte[] b = chunks.base();
                for (int i = 0; i < t.length / width; i++) {
                    long tb = Elements.get(t, i, width);
                    long bb = Elements.get(b, i, width);
                    if (tb == bb) {
                        continue;
                    }
                    float d = Math.abs(f.toFloat(tb) - f.toFloat(bb));
                    if (!Float.isFinite(d) || d == 0f) {
                        continue;
                    }
                    // Reservoir sampling keeps the sample uniform however many changes there are.
                    if (seen < SAMPLE) {
                        sample[(int) seen] = d;
                    } else {
                        long slot = random.nextLong(seen + 1);
                        if (slot < SAMPLE) {
                            sample[(int) slot] = d;
                        }
                    }
                    seen++;
                }
            }
        }
        int n = (int) Math.min(seen, SAMPLE);
        if (n == 0) {
            return Optional.empty();
        }
        float[] values = Arrays.copyOf(sample, n);
        Map<Float, Integer> counts = new HashMap<>();
        float mode = values[0];
        int best = 0;
        for (float v : values) {
            int c = counts.merge(v, 1, Integer::sum);
            if (c > best) {
                best = c;
                mode = v;
            }
        }
        if (best * 2 >= n) {
            return Optional.of(mode);
        }
        Arrays.sort(values);
        return Optional.of(values[n / 2]);
    }
}
