package io.thetahost.codec.encodings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.thetahost.codec.format.Section;
import io.thetahost.codec.format.SectionTag;
import io.thetahost.protocol.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The canonical applies of update files (theta add --update sparse and sparse-ternary). */
class UpdateFileApplyTest {

    @Test
    void aSparseDeltaAddsWhereItIsNotZero() {
        byte[] base = f32(1f, 2f, 3f, 4f);
        byte[] delta = f32(0f, -0f, 0.5f, -4f);
        assertArrayEquals(f32(1f, 2f, 3.5f, 0f), SparseEncoding.canonicalAdd(base, delta, DType.F32));
        assertThrows(IllegalArgumentException.class, () -> SparseEncoding.canonicalAdd(new byte[4], new byte[4],
                DType.I32));
    }

    @Test
    void aTernaryMaskAddsPlusOrMinusTheMagnitudeAndEncodesWithoutResidual() {
        byte[] base = f32(1f, 2f, 3f, 4f);
        byte[] mask = {1, 0, -1, 1};
        byte[] applied = SparseTernaryEncoding.canonicalApply(base, mask, DType.F32, 0.25f, "w");
        assertArrayEquals(f32(1.25f, 2f, 2.75f, 4.25f), applied);
        List<Section> sections = SparseTernaryEncoding.encode(applied, base, DType.F32, 0.25f, new int[] {0, 2, 3},
                new boolean[] {true, false, true}, 3);
        assertEquals(List.of(SectionTag.POSITIONS, SectionTag.SIGNS), sections.stream().map(Section::tag).toList(),
                "the canonical apply is what the encoding decodes to: no residual");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparseTernaryEncoding.canonicalApply(base, new byte[] {0, 2, 0, 0}, DType.F32, 1f, "w"));
        assertEquals("w: the mask holds 2; a sparse-ternary mask holds only -1, 0 and +1", e.getMessage());
    }

    private static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }
}
