package io.thetahost.protocol.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The tensor id against its definition, computed here by hand. */
class TensorIdTest {
    @Test
    void abbreviatedIsThePrefixAndTheFirstSixteenHexDigits() {
        TensorId id = TensorId.parse("sha256:" + "0123456789abcdef".repeat(4));
        assertEquals("sha256:0123456789abcdef...", id.abbreviated());
    }

    @Test
    void knownAnswerFromTheDefinition() throws Exception {
        byte[] raw = {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, (byte) 0x80, 0x40,
            0, 0, (byte) 0xa0, 0x40, 0, 0, (byte) 0xc0, 0x40}; // float32 1..6, little-endian
        ByteArrayOutputStream canonical = new ByteArrayOutputStream();
        canonical.write("thetahost-tensor".getBytes(StandardCharsets.US_ASCII));
        canonical.write(0);
        canonical.write("F32".getBytes(StandardCharsets.US_ASCII));
        canonical.write(0);
        canonical.write(new byte[] {2, 0, 0, 0}); // rank, u32 LE
        canonical.write(new byte[] {2, 0, 0, 0, 0, 0, 0, 0}); // dims, u64 LE
        canonical.write(new byte[] {3, 0, 0, 0, 0, 0, 0, 0});
        canonical.write(raw);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(canonical.toByteArray());

        TensorId id = TensorId.of(DType.F32, Shape.of(2, 3), raw);

        assertEquals("sha256:" + HexFormat.of().formatHex(expected), id.toString());
        assertEquals(id, TensorId.parse(id.toString()));
    }

    @Test
    void scalarHasRankZeroAndNoDimensions() throws Exception {
        byte[] raw = {1, 2};
        ByteArrayOutputStream canonical = new ByteArrayOutputStream();
        canonical.write("thetahost-tensor\0BF16\0".getBytes(StandardCharsets.US_ASCII));
        canonical.write(new byte[] {0, 0, 0, 0});
        canonical.write(raw);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(canonical.toByteArray());

        assertEquals("sha256:" + HexFormat.of().formatHex(expected),
                TensorId.of(DType.BF16, Shape.of(), raw).toString());
    }

    @Test
    void equalContentGivesEqualIdsWhetherHashedWholeOrInPieces() {
        byte[] raw = new byte[4096];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i * 31);
        }
        TensorId.Hasher h = TensorId.hasher(DType.U8, Shape.of(64, 64));
        for (int off = 0; off < raw.length; off += 1000) {
            h.update(raw, off, Math.min(1000, raw.length - off));
        }
        assertEquals(TensorId.of(DType.U8, Shape.of(64, 64), raw.clone()), h.finish());
    }

    @Test
    void sameBytesWithAnotherShapeOrDtypeGiveAnotherId() {
        byte[] raw = new byte[16];
        TensorId f32 = TensorId.of(DType.F32, Shape.of(4), raw);
        assertNotEquals(f32, TensorId.of(DType.F32, Shape.of(2, 2), raw));
        assertNotEquals(f32, TensorId.of(DType.F32, Shape.of(4, 1), raw));
        assertNotEquals(f32, TensorId.of(DType.I32, Shape.of(4), raw));
        assertNotEquals(f32, TensorId.of(DType.U32, Shape.of(4), raw));
        assertNotEquals(TensorId.of(DType.F16, Shape.of(8), raw), TensorId.of(DType.BF16, Shape.of(8), raw));
    }

    @Test
    void hasherRefusesTheWrongNumberOfBytes() {
        TensorId.Hasher h = TensorId.hasher(DType.F32, Shape.of(2));
        h.update(new byte[4], 0, 4);
        assertThrows(IllegalStateException.class, h::finish);
        assertThrows(IllegalStateException.class, () -> h.update(new byte[8], 0, 8));
    }
}
