package io.thetahost.protocol.safetensors;

import static io.thetahost.protocol.Fixtures.file;
import static io.thetahost.protocol.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Writing files: header verbatim, regions in order, exact tensor sizes. */
class SafetensorsWriterTest {
    private static final SafetensorsLimits DEFAULTS = SafetensorsLimits.defaults();

    @Test
    void writesHeaderVerbatimThenTensorsAndGapsInOrder() throws IOException {
        byte[] header = utf8("{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[3,5]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}  ");
        SafetensorsHeader h = SafetensorsHeader.parse(header, DEFAULTS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafetensorsWriter w = new SafetensorsWriter(out, h);

        w.writeTensor(h.tensors().get(0), new byte[] {1, 2});
        w.writeGap(new GapBytes(2, new byte[] {9}));
        w.writeTensor(h.tensors().get(1), new byte[] {3, 4});
        w.writeGap(new GapBytes(5, new byte[] {7, 7}));
        w.finish();

        assertArrayEquals(file(header, new byte[] {1, 2, 9, 3, 4, 7, 7}), out.toByteArray());
    }

    @Test
    void aBuiltHeaderWithNoTensorsIsAWholeFile() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new SafetensorsWriter(out, SafetensorsHeader.build(null, List.of())).finish();
        assertArrayEquals(file(utf8("{}      "), new byte[0]), out.toByteArray());
    }

    @Test
    void eachTensorMustGetExactlyItsSize() throws IOException {
        SafetensorsHeader h = SafetensorsHeader.build(null, List.of(new TensorSpec("w", DType.F32, Shape.of(2))));
        TensorEntry w = h.tensors().get(0);

        assertEquals("tensor 'w': the data ends after 4 of its 8 bytes", assertThrows(InvalidCheckpointException.class,
                () -> new SafetensorsWriter(new ByteArrayOutputStream(), h).writeTensor(w, new byte[4])).getMessage());
        assertEquals("tensor 'w': the data holds more than its 8 bytes", assertThrows(InvalidCheckpointException.class,
                () -> new SafetensorsWriter(new ByteArrayOutputStream(), h).writeTensor(w, new byte[9])).getMessage());
    }

    @Test
    void regionsOutOfOrderOrMissingAreProgrammingErrors() throws IOException {
        SafetensorsHeader h = SafetensorsHeader.build(null, List.of(new TensorSpec("a", DType.F32, Shape.of(1)),
                new TensorSpec("b", DType.F32, Shape.of(1))));
        SafetensorsWriter w = new SafetensorsWriter(new ByteArrayOutputStream(), h);
        assertEquals("tensor 'b' is not the next region of the file; expected tensor 'a'",
                assertThrows(IllegalStateException.class, () -> w.writeTensor(h.tensors().get(1), new byte[4]))
                        .getMessage());
        assertEquals("the gap at data offset 0 is not the next region of the file; expected tensor 'a'",
                assertThrows(IllegalStateException.class, () -> w.writeGap(new GapBytes(0, new byte[1])))
                        .getMessage());
        w.writeTensor(h.tensors().get(0), new byte[4]);
        assertEquals("tensor 'b' was not written", assertThrows(IllegalStateException.class, w::finish).getMessage());
    }
}
