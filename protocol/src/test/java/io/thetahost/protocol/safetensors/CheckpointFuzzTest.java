package io.thetahost.protocol.safetensors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.Fixtures;
import io.thetahost.protocol.Mutations;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random mutations of real headers and files: the parser and the reader only ever accept or refuse with
 * {@link InvalidCheckpointException}, never fail another way, hang, or allocate more than the input warrants.
 */
class CheckpointFuzzTest {
    private static final long SEED = 0x5afe_7e45L;
    private static final SafetensorsLimits LIMITS = SafetensorsLimits.defaults().withMaxGapBytes(64);
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void mutatedFixtureHeadersParseOrAreRefused() {
        Random random = new Random(SEED);
        int accepted = 0;
        int refused = 0;
        for (String name : Fixtures.CHECKPOINTS) {
            byte[] header = Fixtures.header(name);
            for (int c = 0; c < 4000; c++) {
                byte[] mutated = Mutations.mutate(header, random);
                try {
                    SafetensorsHeader h = SafetensorsHeader.parse(mutated, LIMITS);
                    assertTrue(h.gapBytes() <= LIMITS.maxGapBytes());
                    accepted++;
                } catch (InvalidCheckpointException e) {
                    assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
                    refused++;
                } catch (Throwable t) {
                    throw new AssertionError(name + " case " + c + " threw " + t + " for header "
                            + new String(mutated, StandardCharsets.UTF_8), t);
                }
            }
        }
        assertTrue(accepted > 100, "mutations should leave some headers valid: " + accepted);
        assertTrue(refused > 10_000, "most mutations should be refused: " + refused);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void mutatedFilesReadFullyOrAreRefused() throws IOException {
        Random random = new Random(SEED + 1);
        byte[] small = smallFile();
        byte[] adapter = Fixtures.bytes("adapter_model");
        int completed = 0;
        for (int c = 0; c < 6000; c++) {
            byte[] base = c % 10 == 0 ? adapter : small;
            byte[] mutated = random.nextInt(4) == 0 ? mutateLength(base, random) : mutateFile(base, random);
            if (readFully(mutated, c)) {
                completed++;
            }
        }
        for (int c = 0; c < 2000; c++) {
            byte[] garbage = new byte[random.nextInt(64)];
            random.nextBytes(garbage);
            readFully(garbage, -c);
        }
        assertTrue(completed > 100, "mutations should leave some files valid: " + completed);
    }

    /** Reads every byte; true if the file was accepted. */
    private static boolean readFully(byte[] file, int c) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try (SafetensorsReader r = SafetensorsReader.open(new ByteArrayInputStream(file), LIMITS)) {
            byte[] sink = new byte[4096];
            for (DataItem item; (item = r.next()) != null; ) {
                if (item instanceof TensorData) {
                    while (((TensorData) item).bytes().read(sink) >= 0) {
                        continue;
                    }
                }
            }
            return true;
        } catch (InvalidCheckpointException e) {
            return false;
        } catch (Throwable t) {
            throw new AssertionError("case " + c + " threw " + t, t);
        } finally {
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 16L * file.length + (4 << 20), "case " + c + " allocated " + allocated
                    + " bytes for a file of " + file.length);
        }
    }

    /** A few small tensors of several dtypes, with gaps, so mutations reach the data area often. */
    private static byte[] smallFile() throws IOException {
        SafetensorsHeader h = SafetensorsHeader.build(Map.of("k", "v"), List.of(
                new TensorSpec("a", DType.F32, Shape.of(2, 2)), new TensorSpec("b", DType.BF16, Shape.of(3)),
                new TensorSpec("c", DType.F4, Shape.of(4)), new TensorSpec("d", DType.BOOL, Shape.of()),
                new TensorSpec("e", DType.I64, Shape.of(0))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafetensorsWriter w = new SafetensorsWriter(out, h);
        for (TensorEntry e : h.tensors()) {
            w.writeTensor(e, new byte[(int) e.size()]);
        }
        w.writeGap(new GapBytes(h.dataLength(), new byte[] {1, 2, 3}));
        w.finish();
        return out.toByteArray();
    }

    private static byte[] mutateFile(byte[] file, Random random) {
        int headerEnd = 8 + (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (random.nextInt(3) > 0) {
            // Mutate the header and fix up the length field, so the mutation reaches the parser.
            byte[] header = Mutations.mutate(Arrays.copyOfRange(file, 8, headerEnd), random);
            byte[] data = Arrays.copyOfRange(file, headerEnd, file.length);
            if (random.nextBoolean()) {
                data = Arrays.copyOf(data, Math.max(0, data.length + random.nextInt(17) - 8));
            }
            return Fixtures.file(header, data);
        }
        return Mutations.mutate(file, random);
    }

    private static byte[] mutateLength(byte[] file, Random random) {
        long declared = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long[] choices = {random.nextLong(), declared + random.nextInt(33) - 16, 1L << 40, Long.MIN_VALUE, -1,
            99_999_999, 100_000_001, 0, 1, 2};
        byte[] out = file.clone();
        ByteBuffer.wrap(out, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(choices[random.nextInt(choices.length)]);
        return out;
    }
}
