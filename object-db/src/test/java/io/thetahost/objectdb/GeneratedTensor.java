package io.thetahost.objectdb;

import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.KindEncoders;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.SplittableRandom;

/**
 * A large float32 tensor of random bits that is never held in memory: its bytes are generated from a seed whenever
 * they are read, and its dense encoding is streamed through a pipe from an encoder thread. For tests whose tensors
 * are larger than their heap.
 */
final class GeneratedTensor {
    static final int COLUMNS = 1024;
    private static final KindEncoders ENCODERS = new KindEncoders(EncoderOptions.defaults().withChunkBytes(8 << 20));

    private final long seed;
    private final TensorInput input;
    private TensorId id;

    GeneratedTensor(long seed, long megabytes) {
        this.seed = seed;
        Shape shape = Shape.of(megabytes * (1 << 20) / (4 * COLUMNS), COLUMNS);
        this.input = new TensorInput.Of(DType.F32, shape, () -> new RandomBytes(seed, DType.F32.sizeOf(
                shape.elements())));
    }

    /** One pass over the bytes; cached. */
    TensorId id() throws IOException {
        if (id == null) {
            TensorId.Hasher hasher = TensorId.hasher(input.dtype(), input.shape());
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = input.open()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    hasher.update(buffer, 0, n);
                }
            }
            id = hasher.finish();
        }
        return id;
    }

    InputStream bytes() throws IOException {
        return input.open();
    }

    /** The dense encoding, written by a daemon thread as it is read. */
    InputStream denseEncoding() throws IOException {
        TensorId target = id();
        PipedInputStream in = new PipedInputStream(1 << 20);
        PipedOutputStream out = new PipedOutputStream(in);
        Thread encoder = new Thread(() -> {
            try (PipedOutputStream o = out) {
                ENCODERS.dense(input, target, o);
            } catch (IOException e) {
                // The reader stopped reading; it already knows.
            }
        }, "encoder-" + seed);
        encoder.setDaemon(true);
        encoder.start();
        return in;
    }

    /** Whether a stream holds exactly this tensor's bytes. */
    boolean matches(InputStream actual) throws IOException {
        try (InputStream expected = bytes(); InputStream in = actual) {
            byte[] a = new byte[1 << 16];
            byte[] b = new byte[1 << 16];
            while (true) {
                int n = expected.readNBytes(a, 0, a.length);
                int m = in.readNBytes(b, 0, b.length);
                if (n != m || !java.util.Arrays.equals(a, 0, n, b, 0, m)) {
                    return false;
                }
                if (n == 0) {
                    return true;
                }
            }
        }
    }

    /** Random bytes from a seed, eight at a time. */
    private static final class RandomBytes extends InputStream {
        private final SplittableRandom random;
        private long left;
        private long word;
        private int wordBytes;

        RandomBytes(long seed, long length) {
            this.random = new SplittableRandom(seed);
            this.left = length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
                if (wordBytes == 0) {
                    word = random.nextLong();
                    wordBytes = 8;
                }
                b[off + i] = (byte) word;
                word >>>= 8;
                wordBytes--;
            }
            left -= n;
            return n;
        }
    }
}
