package io.thetahost.codec.encodings;

import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.codec.format.Section;
import io.thetahost.codec.format.SectionTag;
import io.thetahost.codec.numeric.Elements;
import io.thetahost.codec.numeric.FloatElements;
import io.thetahost.protocol.tensor.DType;
import java.util.List;

/** A chunk as the units that differ from the base: their positions and their new values, which replace the base's. */
public final class SparseEncoding {
    private SparseEncoding() {
    }

    /** The number of units that differ, to price this encoding before building it. */
    public static int countChanges(byte[] target, byte[] base, DType dtype) {
        int width = Units.of(dtype).width();
        int n = target.length / width;
        int changed = 0;
        for (int i = 0; i < n; i++) {
            if (!sameUnit(target, base, i, width)) {
                changed++;
            }
        }
        return changed;
    }

    public static List<Section> encode(byte[] target, byte[] base, DType dtype) {
        int width = Units.of(dtype).width();
        int n = target.length / width;
        int[] positions = new int[countChanges(target, base, dtype)];
        byte[] values = new byte[positions.length * width];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (!sameUnit(target, base, i, width)) {
                positions[k] = i;
                System.arraycopy(target, i * width, values, k * width, width);
                k++;
            }
        }
        return List.of(new Section(SectionTag.POSITIONS, Positions.encode(positions, k)),
                new Section(SectionTag.VALUES, values));
    }

    static byte[] apply(byte[] positionsData, byte[] values, byte[] base, DType dtype)
            throws InvalidEncodingException {
        int width = Units.of(dtype).width();
        int[] positions = Positions.decode(positionsData, base.length / width);
        if ((long) positions.length * width != values.length) {
            throw new InvalidEncodingException("sparse chunk lists " + positions.length + " positions but "
                    + values.length / width + " values");
        }
        byte[] out = base; // the decoder's own copy of the base chunk, applied in place
        for (int k = 0; k < positions.length; k++) {
            System.arraycopy(values, k * width, out, positions[k] * width, width);
        }
        return out;
    }

    /**
     * The canonical add of a sparse delta, as an update file gives it (a tensor of the base's dtype and shape, zero
     * where nothing changes): where the delta is not zero, {@code round_dtype(f32(base) + f32(delta))}; elsewhere the
     * base. A sparse encoding then lists the elements that changed and their new values.
     *
     * @throws IllegalArgumentException for a dtype without float values
     */
    public static byte[] canonicalAdd(byte[] base, byte[] delta, DType dtype) {
        FloatElements f = FloatElements.of(dtype).orElseThrow(() -> new IllegalArgumentException(
                "a sparse delta is not defined for " + dtype));
        if (base.length != delta.length) {
            throw new IllegalArgumentException("a delta of " + delta.length + " bytes for " + base.length);
        }
        int width = dtype.byteSize();
        byte[] out = base.clone();
        for (int i = 0; i < base.length / width; i++) {
            float d = f.toFloat(Elements.get(delta, i, width));
            if (d != 0f) {
                Elements.set(out, i, width, f.fromFloat(f.toFloat(Elements.get(base, i, width)) + d));
            }
        }
        return out;
    }

    static boolean sameUnit(byte[] a, byte[] b, int unit, int width) {
        return Elements.get(a, unit, width) == Elements.get(b, unit, width);
    }
}
