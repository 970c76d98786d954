package io.thetahost.protocol.safetensors;

import static io.thetahost.protocol.Fixtures.file;
import static io.thetahost.protocol.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Streaming a checkpoint: file order, bounded tensor streams, gaps, the end of the file, bounded memory. */
class SafetensorsReaderTest {
    static final List<String> FIXTURES = Fixtures.CHECKPOINTS;
    private static final SafetensorsLimits DEFAULTS = SafetensorsLimits.defaults();

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void readsEveryTensorOfAFixtureInFileOrder(String name) throws IOException {
        byte[] file = Fixtures.bytes(name);
        int dataStart = 8 + Fixtures.header(name).length;
        int count = 0;
        try (SafetensorsReader r = SafetensorsReader.open(Fixtures.checkpoint(name), DEFAULTS)) {
            long position = 0;
            for (DataItem item; (item = r.next()) != null; ) {
                TensorData t = (TensorData) item;
                assertEquals(position, t.offset());
                byte[] expected = Arrays.copyOfRange(file, dataStart + (int) t.entry().begin(),
                        dataStart + (int) t.entry().end());
                assertArrayEquals(expected, t.bytes().readAllBytes(), t.entry().name());
                position = t.entry().end();
                count++;
            }
            assertNull(r.next());
        }
        assertEquals(Fixtures.CHECKPOINTS.indexOf(name) == 2 ? 24 : 52, count);
    }

    @Test
    void gapsAndTrailingBytesComeAsGapBytesInFileOrder() throws IOException {
        byte[] header = utf8("{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[5,7]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]},"
                + "\"z\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[3,3]}}");
        byte[] data = {9, 1, 2, 8, 8, 3, 4, 7, 7, 7};
        try (SafetensorsReader r = SafetensorsReader.open(new ByteArrayInputStream(file(header, data)), DEFAULTS)) {
            assertEquals(new GapBytes(0, new byte[] {9}), r.next());
            assertArrayEquals(new byte[] {1, 2}, ((TensorData) r.next()).bytes().readAllBytes());
            TensorData z = (TensorData) r.next();
            assertEquals("z", z.entry().name());
            assertEquals(-1, z.bytes().read());
            assertEquals(new GapBytes(3, new byte[] {8, 8}), r.next());
            assertArrayEquals(new byte[] {3, 4}, ((TensorData) r.next()).bytes().readAllBytes());
            assertEquals(new GapBytes(7, new byte[] {7, 7, 7}), r.next());
            assertNull(r.next());
            assertNull(r.next());
        }
    }

    @Test
    void aTensorStreamStopsAtItsEndAndIsSkippedIfLeftUnread() throws IOException {
        byte[] header = utf8("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]}}");
        try (SafetensorsReader r = SafetensorsReader.open(
                new ByteArrayInputStream(file(header, new byte[] {1, 2, 3, 4, 5, 6})), DEFAULTS)) {
            InputStream a = ((TensorData) r.next()).bytes();
            byte[] buf = new byte[100];
            assertEquals(1, a.read());
            assertEquals(1, a.read(buf, 0, 1));
            InputStream b = ((TensorData) r.next()).bytes();
            assertEquals(2, b.read(buf, 0, 100));
            assertArrayEquals(new byte[] {5, 6}, Arrays.copyOf(buf, 2));
            assertEquals(-1, b.read(buf, 0, 100));
            assertEquals(-1, b.read());
            IOException stale = assertThrows(IOException.class, a::read);
            assertEquals("tensor 'a': its stream was left behind when the reader moved on", stale.getMessage());
            assertNull(r.next());
        }
    }

    @Test
    void trailingBytesWithinTheGapLimitAreAGap() throws IOException {
        byte[] header = utf8("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}");
        try (SafetensorsReader r = SafetensorsReader.open(new ByteArrayInputStream(file(header, new byte[5])),
                DEFAULTS.withMaxGapBytes(4))) {
            r.next();
            assertEquals(new GapBytes(1, new byte[4]), r.next());
            assertNull(r.next());
        }
        InvalidCheckpointException e = assertThrows(InvalidCheckpointException.class, () -> {
            try (SafetensorsReader r = SafetensorsReader.open(new ByteArrayInputStream(file(header, new byte[6])),
                    DEFAULTS.withMaxGapBytes(4))) {
                r.next();
                r.next();
            }
        });
        assertEquals("the data area has more than 4 bytes after the last tensor (ends at 1) that no tensor covers; "
                + "gaps may total at most 4 bytes", e.getMessage());
    }

    @Test
    void aFileEndingInsideAGapIsRefused() {
        byte[] header = utf8("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[8,9]}}");
        InvalidCheckpointException e = assertThrows(InvalidCheckpointException.class, () -> {
            try (SafetensorsReader r = SafetensorsReader.open(new ByteArrayInputStream(file(header, new byte[3])),
                    DEFAULTS)) {
                r.next();
            }
        });
        assertEquals("the file ends inside the gap at data offset 0, after 3 of its 8 bytes", e.getMessage());
    }

    @Test
    void aHugeDeclaredHeaderOnAShortStreamAllocatesOnlyWhatArrived() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] shortFile = file(99_999_999L, utf8("{\"a\":"), new byte[1000]);
        long before = threads.getCurrentThreadAllocatedBytes();
        InvalidCheckpointException e = assertThrows(InvalidCheckpointException.class,
                () -> SafetensorsReader.open(new ByteArrayInputStream(shortFile), DEFAULTS));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals("the file ends inside the header, after 1005 of its 99999999 bytes", e.getMessage());
        assertTrue(allocated < 2_000_000, "allocated " + allocated + " bytes for a 1 KB stream");

        before = threads.getCurrentThreadAllocatedBytes();
        assertThrows(InvalidCheckpointException.class,
                () -> SafetensorsReader.open(new ByteArrayInputStream(file(1L << 40, new byte[0], new byte[0])),
                        DEFAULTS));
        allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1_000_000, "allocated " + allocated + " bytes to refuse a 2^40 length");
    }
}
