package io.thetahost.codec.encodings;

import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.codec.format.Section;
import io.thetahost.codec.format.SectionTag;
import io.thetahost.codec.numeric.Elements;
import io.thetahost.codec.numeric.FloatElements;
import io.thetahost.protocol.tensor.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * A chunk as the canonical sparse-ternary apply to the base: at each listed position
 * {@code out = round_dtype(f32(W) + mu * s)} with s = +1 or -1, elsewhere the base unchanged; plus a residual where
 * that is not the target.
 */
public final class SparseTernaryEncoding {
    private SparseTernaryEncoding() {
    }

    /** Whether the canonical apply is defined for the dtype (floats the codec can round to). */
    public static boolean supports(DType dtype) {
        return FloatElements.of(dtype).isPresent();
    }

    /**
     * Encodes a chunk given the changes the encoder chose: the positions (increasing) and their signs.
     *
     * @param plus for each position, true for +magnitude
     */
    public static List<Section> encode(byte[] target, byte[] base, DType dtype, float magnitude, int[] positions,
            boolean[] plus, int count) {
        byte[] canonical = apply(positions, plus, count, magnitude, base, dtype);
        byte[] signs = new byte[(count + 7) / 8];
        for (int k = 0; k < count; k++) {
            if (plus[k]) {
                signs[k >>> 3] |= (byte) (1 << (k & 7));
            }
        }
        List<Section> sections = new ArrayList<>(List.of(
                new Section(SectionTag.POSITIONS, Positions.encode(positions, count)),
                new Section(SectionTag.SIGNS, signs)));
        Residual.section(target, canonical, dtype.byteSize()).ifPresent(sections::add);
        return sections;
    }

    /**
     * The canonical apply of a mask (one I8 element of -1, 0 or +1 per element of the base) and a magnitude, as an
     * update file gives them: what the encoding of the same changes decodes to.
     *
     * @param what the tensor, for messages
     * @throws IllegalArgumentException for a mask value other than -1, 0 and +1
     */
    public static byte[] canonicalApply(byte[] base, byte[] mask, DType dtype, float magnitude, String what) {
        int units = base.length / dtype.byteSize();
        if (mask.length != units) {
            throw new IllegalArgumentException(what + ": the mask has " + mask.length + " elements, the tensor "
                    + units);
        }
        int[] positions = new int[units];
        boolean[] plus = new boolean[units];
        int count = 0;
        for (int i = 0; i < units; i++) {
            if (mask[i] == 0) {
                continue;
            }
            if (mask[i] != 1 && mask[i] != -1) {
                throw new IllegalArgumentException(what + ": the mask holds " + mask[i]
                        + "; a sparse-ternary mask holds only -1, 0 and +1");
            }
            positions[count] = i;
            plus[count] = mask[i] == 1;
            count++;
        }
        return apply(positions, plus, count, magnitude, base, dtype);
    }

    static byte[] apply(byte[] positionsData, byte[] signs, float magnitude, byte[] base, DType dtype)
            throws InvalidEncodingException {
        int[] positions = Positions.decode(positionsData, base.length / dtype.byteSize());
        if (signs.length != (positions.length + 7) / 8) {
            throw new InvalidEncodingException("sparse-ternary chunk lists " + positions.length + " positions but "
                    + signs.length + " bytes of signs");
        }
        boolean[] plus = new boolean[positions.length];
        for (int k = 0; k < positions.length; k++) {
            plus[k] = (signs[k >>> 3] & (1 << (k & 7))) != 0;
        }
        return apply(positions, plus, positions.length, magnitude, base, dtype);
    }

    private static byte[] apply(int[] positions, boolean[] plus, int count, float magnitude, byte[] base,
            DType dtype) {
        FloatElements f = FloatElements.of(dtype).orElseThrow();
        int width = dtype.byteSize();
        byte[] out = base.clone();
        for (int k = 0; k < count; k++) {
            int p = positions[k];
            float w = f.toFloat(Elements.get(base, p, width));
            float v = w + (plus[k] ? magnitude : -magnitude);
            Elements.set(out, p, width, f.fromFloat(v));
        }
        return out;
    }
}
