package io.thetahost.codec.format;

import static io.thetahost.codec.TensorPair.chunks;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.thetahost.codec.TensorPair;
import io.thetahost.codec.decode.TensorDecoder;
import io.thetahost.codec.encode.LowRankFactors;
import io.thetahost.codec.numeric.Elements;
import io.thetahost.codec.numeric.FloatElements;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded fuzzing: valid encodings of every kind, mutated thousands of times (bit flips, byte changes, truncations,
 * deletions, insertions, duplicated ranges, length fields overwritten with hostile values). A decode may only succeed
 * with bytes that hash to the id the (mutated) encoding declares, or throw {@link InvalidEncodingException}; any
 * other exception or error, an {@link OutOfMemoryError} included, fails.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MutatedEncodingsTest {
    private static final int MUTATIONS_PER_ENCODING = 1500;
    private static final long[] HOSTILE = {0, 1, 2, 7, 8, 9, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffffL, 0x80000000L,
        0xffffffffL, 1L << 40, Long.MAX_VALUE, -1};

    private record Valid(String name, TensorPair pair, byte[] encoding) {
    }

    private static final List<Valid> VALID = new ArrayList<>();

    @BeforeAll
    static void encodeOneOfEachKind() throws IOException {
        SplittableRandom r = new SplittableRandom(99);
        TensorPair f32 = pair(r, DType.F32, Shape.of(7, 5), 0.3);
        TensorPair bf16 = pair(r, DType.BF16, Shape.of(9, 4), 0.2);
        TensorPair f16 = pair(r, DType.F16, Shape.of(6, 6), 0.1);
        float[] b = new float[6 * 2];
        float[] a = new float[2 * 4];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        TensorPair matrix = pair(r, DType.F32, Shape.of(6, 4), 1.0);
        byte[] packed = new byte[12];
        r.nextBytes(packed);
        byte[] packedBase = packed.clone();
        packedBase[3] ^= 0x21;
        TensorPair f4 = new TensorPair(DType.F4, Shape.of(8, 3), packed, packedBase);
        byte[] u8 = new byte[64];
        r.nextBytes(u8);
        TensorPair bytes = new TensorPair(DType.U8, Shape.of(1, 64), u8, new byte[64]);

        VALID.add(new Valid("dense F32", f32, f32.dense(chunks(24))));
        VALID.add(new Valid("xor BF16", bf16, bf16.xor(chunks(20))));
        VALID.add(new Valid("sparse F16", f16, f16.sparse(chunks(30))));
        VALID.add(new Valid("sparse-ternary BF16", bf16, bf16.sparseTernary(chunks(20), 0.01f)));
        VALID.add(new Valid("low-rank F32", matrix, matrix.lowRank(chunks(16), new LowRankFactors(2, 6, 4, b, a))));
        VALID.add(new Valid("dense F4", f4, f4.dense(chunks(1))));
        VALID.add(new Valid("sparse F4", f4, f4.sparse(chunks(1))));
        VALID.add(new Valid("xor U8", bytes, bytes.xor(chunks(1 << 20))));
        for (Valid v : VALID) {
            assertArrayEquals(v.pair().target(), v.pair().decode(v.encoding()), v.name());
        }
    }

    @Test
    void randomByteAndBitChanges() {
        fuzz(1, (r, e) -> {
            byte[] m = e.clone();
            int changes = 1 + r.nextInt(3);
            for (int i = 0; i < changes; i++) {
                int at = r.nextInt(m.length);
                if (r.nextBoolean()) {
                    m[at] ^= (byte) (1 << r.nextInt(8));
                } else {
                    m[at] = (byte) r.nextInt(256);
                }
            }
            return m;
        });
    }

    @Test
    void truncationsDeletionsInsertionsAndDuplications() {
        fuzz(2, (r, e) -> {
            int at = r.nextInt(e.length);
            int len = 1 + r.nextInt(Math.min(32, e.length - at));
            switch (r.nextInt(4)) {
                case 0:
                    return Arrays.copyOf(e, r.nextInt(e.length));
                case 1:
                    return splice(e, at, len, new byte[0]);
                case 2: {
                    byte[] junk = new byte[len];
                    r.nextBytes(junk);
                    return splice(e, at, 0, junk);
                }
                default:
                    return splice(e, at, 0, Arrays.copyOfRange(e, at, at + len));
            }
        });
    }

    @Test
    void fieldsOverwrittenWithHostileValues() {
        fuzz(3, (r, e) -> {
            byte[] m = e.clone();
            int width = new int[] {1, 4, 8}[r.nextInt(3)];
            int at = r.nextInt(m.length);
            long v = r.nextInt(4) == 0 ? r.nextLong() : HOSTILE[r.nextInt(HOSTILE.length)];
            for (int i = 0; i < width && at + i < m.length; i++) {
                m[at + i] = (byte) (v >>> (8 * i));
            }
            return m;
        });
    }

    private interface Mutation {
        byte[] apply(SplittableRandom r, byte[] encoding);
    }

    private static void fuzz(long seed, Mutation mutation) {
        SplittableRandom r = new SplittableRandom(seed);
        int refused = 0;
        int decoded = 0;
        for (Valid v : VALID) {
            for (int i = 0; i < MUTATIONS_PER_ENCODING; i++) {
                byte[] mutated = mutation.apply(r, v.encoding());
                if (decodesOrIsRefused(v, mutated, "seed " + seed + ", " + v.name() + ", mutation " + i)) {
                    decoded++;
                } else {
                    refused++;
                }
            }
        }
        assertEquals(VALID.size() * MUTATIONS_PER_ENCODING, decoded + refused);
        assertTrue(refused > decoded, refused + " refused, " + decoded + " decoded");
    }

    /** True when it decoded (to bytes with the declared id), false when refused; fails on anything else. */
    private static boolean decodesOrIsRefused(Valid v, byte[] mutated, String what) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            TensorId id = new TensorDecoder(DecodeLimits.defaults())
                    .decode(new ByteArrayInputStream(mutated), v.pair().bases(), out);
            EncodingHeader h = new EncodingReader(new ByteArrayInputStream(mutated), DecodeLimits.defaults())
                    .header();
            assertEquals(h.target(), id, what);
            assertEquals(id, TensorId.of(h.dtype(), h.shape(), out.toByteArray()), what);
            return true;
        } catch (InvalidEncodingException e) {
            return false;
        } catch (Throwable t) {
            fail(what + ": " + t, t);
            return false;
        }
    }

    private static byte[] splice(byte[] e, int at, int remove, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(e, 0, at);
        out.writeBytes(insert);
        out.write(e, at + remove, e.length - at - remove);
        return out.toByteArray();
    }

    /** Random weights and a base that differs in a fraction of them. */
    private static TensorPair pair(SplittableRandom r, DType dtype, Shape shape, double changed) {
        FloatElements f = FloatElements.of(dtype).orElseThrow();
        int width = dtype.byteSize();
        int n = (int) shape.elements();
        byte[] target = new byte[n * width];
        byte[] base = new byte[n * width];
        for (int i = 0; i < n; i++) {
            float w = (float) (r.nextGaussian() * 0.05);
            Elements.set(base, i, width, f.fromFloat(w));
            Elements.set(target, i, width, f.fromFloat(r.nextDouble() < changed ? w + 0.01f : w));
        }
        return new TensorPair(dtype, shape, target, base);
    }
}
