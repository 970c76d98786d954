package io.thetahost.cluster.tensors;

import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.KindEncoders;
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

/** Tensors for tests, and their encodings made the way a client makes them (the codec's KindEncoders). */
final class TestTensors {
    /** Small chunks, so that even small tensors decode in several chunks. */
    static final KindEncoders ENCODERS = new KindEncoders(EncoderOptions.defaults().withChunkBytes(4096));

    private TestTensors() {
    }

    /** A tensor held in memory. */
    record Tensor(DType dtype, Shape shape, byte[] raw) {
        TensorId id() {
            return TensorId.of(dtype, shape, raw);
        }

        TensorInput input() {
            return TensorInput.of(dtype, shape, raw);
        }

        /** A copy with some elements changed (float32 only): a fine-tuning step. */
        Tensor perturbed(SplittableRandom random, double fraction) {
            ByteBuffer b = ByteBuffer.wrap(raw.clone()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < raw.length / 4; i++) {
                if (random.nextDouble() < fraction) {
                    b.putFloat(i * 4, b.getFloat(i * 4) + (float) (random.nextGaussian() * 0.01));
                }
            }
            return new Tensor(dtype, shape, b.array());
        }

        /** A copy with one float32 element set. */
        Tensor with(int element, float value) {
            ByteBuffer b = ByteBuffer.wrap(raw.clone()).order(ByteOrder.LITTLE_ENDIAN);
            b.putFloat(element * 4, value);
            return new Tensor(dtype, shape, b.array());
        }
    }

    /** Random weights, float32, about N(0, 0.05). */
    static Tensor randomF32(SplittableRandom random, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(rows * cols * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows * cols; i++) {
            b.putFloat((float) (random.nextGaussian() * 0.05));
        }
        return new Tensor(DType.F32, Shape.of(rows, cols), b.array());
    }

    static byte[] dense(Tensor t) {
        return encode(out -> ENCODERS.dense(t.input(), t.id(), out));
    }

    static byte[] xor(Tensor t, Tensor base) {
        return encode(out -> ENCODERS.xor(t.input(), t.id(), base.input(), base.id(), out));
    }

    static byte[] sparse(Tensor t, Tensor base) {
        return encode(out -> ENCODERS.sparse(t.input(), t.id(), base.input(), base.id(), out));
    }

    /** An encoding of {@code content} that declares it is {@code claimed}: a lie the store must refuse. */
    static byte[] denseClaiming(Tensor content, TensorId claimed) {
        return encode(out -> ENCODERS.dense(content.input(), claimed, out));
    }

    static InputStream stream(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }

    static byte[] readAll(InputStream in) throws IOException {
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
