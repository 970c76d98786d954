package io.thetahost.objectdb;

import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.KindEncoders;
import io.thetahost.codec.encode.LowRankFactors;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Tensors for tests, and their encodings made the way a client makes them (KindEncoders). Published in object-db's
 * test-jar: the cluster module's store is tested with the same tensors.
 */
public final class TestTensors {
    /** Small chunks, so that even small tensors decode in several chunks. */
    public static final KindEncoders ENCODERS = new KindEncoders(EncoderOptions.defaults().withChunkBytes(4096));

    private TestTensors() {
    }

    /** A tensor held in memory. */
    public record Tensor(DType dtype, Shape shape, byte[] raw) {
        public TensorId id() {
            return TensorId.of(dtype, shape, raw);
        }

        public TensorInput input() {
            return TensorInput.of(dtype, shape, raw);
        }

        /** A copy with some elements changed (float32 only): a fine-tuning step. */
        public Tensor perturbed(SplittableRandom random, double fraction) {
            ByteBuffer b = ByteBuffer.wrap(raw.clone()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < raw.length / 4; i++) {
                if (random.nextDouble() < fraction) {
                    b.putFloat(i * 4, b.getFloat(i * 4) + (float) (random.nextGaussian() * 0.01));
                }
            }
            return new Tensor(dtype, shape, b.array());
        }

        /** A copy with one float32 element set. */
        public Tensor with(int element, float value) {
            ByteBuffer b = ByteBuffer.wrap(raw.clone()).order(ByteOrder.LITTLE_ENDIAN);
            b.putFloat(element * 4, value);
            return new Tensor(dtype, shape, b.array());
        }
    }

    /** Random weights, float32, about N(0, 0.05). */
    public static Tensor randomF32(SplittableRandom random, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(rows * cols * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows * cols; i++) {
            b.putFloat((float) (random.nextGaussian() * 0.05));
        }
        return new Tensor(DType.F32, Shape.of(rows, cols), b.array());
    }

    public static byte[] dense(Tensor t) {
        return encode(out -> ENCODERS.dense(t.input(), t.id(), out));
    }

    public static byte[] xor(Tensor t, Tensor base) {
        return encode(out -> ENCODERS.xor(t.input(), t.id(), base.input(), base.id(), out));
    }

    public static byte[] sparse(Tensor t, Tensor base) {
        return encode(out -> ENCODERS.sparse(t.input(), t.id(), base.input(), base.id(), out));
    }

    /** A rank-r update with random factors; the residual makes it exact whatever the target. */
    public static byte[] lowRank(Tensor t, Tensor base, int rank, SplittableRandom random) {
        int m = (int) t.shape().dim(0);
        int n = (int) t.shape().dim(1);
        float[] a = new float[rank * n];
        float[] bf = new float[m * rank];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (random.nextGaussian() * 0.01);
        }
        for (int i = 0; i < bf.length; i++) {
            bf[i] = (float) (random.nextGaussian() * 0.01);
        }
        LowRankFactors factors = new LowRankFactors(rank, m, n, bf, a);
        return encode(out -> ENCODERS.lowRank(t.input(), t.id(), base.input(), base.id(), factors, out));
    }

    /** An encoding of {@code content} that declares it is {@code claimed}: a lie the store must refuse. */
    public static byte[] denseClaiming(Tensor content, TensorId claimed) {
        return encode(out -> ENCODERS.dense(content.input(), claimed, out));
    }

    public static InputStream stream(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }

    public static byte[] readAll(InputStream in) throws IOException {
        try (InputStream s = in) {
            return s.readAllBytes();
        }
    }

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static byte[] encode(Writer writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
