package io.thetahost.objectdb.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.manifest.TensorSource;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tensors decoded ahead reach the writer in order, and a decoder that dies fails the writer rather than hang it. */
class ReadAheadTest {
    private static final Shape SHAPE = Shape.of(64, 64);

    private static byte[] bytes(int seed) {
        byte[] b = new byte[64 * 64 * 4];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    private static final byte[][] TENSORS = {bytes(1), bytes(2), bytes(3)};
    private static final List<ReadAhead.Item> ORDER = List.of(
            new ReadAhead.Item(TensorId.of(DType.F32, SHAPE, TENSORS[0]), DType.F32, SHAPE),
            new ReadAhead.Item(TensorId.of(DType.F32, SHAPE, TENSORS[1]), DType.F32, SHAPE),
            new ReadAhead.Item(TensorId.of(DType.F32, SHAPE, TENSORS[2]), DType.F32, SHAPE));

    /** A source of the three tensors; the one at {@code failing} throws {@code error} when opened. */
    private static TensorSource source(int failing, Error error) {
        return (id, dtype, shape) -> {
            for (int i = 0; i < ORDER.size(); i++) {
                if (ORDER.get(i).id().equals(id)) {
                    if (i == failing) {
                        throw error;
                    }
                    return new ByteArrayInputStream(TENSORS[i]);
                }
            }
            return null;
        };
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void tensorsComeInOrder() throws IOException {
        try (ReadAhead ahead = new ReadAhead(ORDER, source(-1, null), 2, 4096)) {
            for (int i = 0; i < ORDER.size(); i++) {
                ReadAhead.Item item = ORDER.get(i);
                try (InputStream in = ahead.open(item.id(), item.dtype(), item.shape())) {
                    assertArrayEquals(TENSORS[i], in.readAllBytes());
                }
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aDecoderThatRunsOutOfMemoryFailsTheWriterInsteadOfHangingIt() throws IOException {
        try (ReadAhead ahead = new ReadAhead(ORDER, source(1, new OutOfMemoryError("Java heap space")), 2, 4096)) {
            ReadAhead.Item first = ORDER.get(0);
            try (InputStream in = ahead.open(first.id(), first.dtype(), first.shape())) {
                assertArrayEquals(TENSORS[0], in.readAllBytes());
            }
            ReadAhead.Item second = ORDER.get(1);
            IOException e = assertThrows(IOException.class, () -> {
                try (InputStream in = ahead.open(second.id(), second.dtype(), second.shape())) {
                    in.readAllBytes();
                }
            });
            assertTrue(e.getMessage().contains("OutOfMemoryError: Java heap space"), e.getMessage());
        }
    }
}
