package io.thetahost.codec.encodings;

import io.thetahost.codec.format.InvalidEncodingException;
import java.io.ByteArrayOutputStream;

/**
 * Strictly increasing unit positions within a chunk, as unsigned LEB128 gaps: the first position, then each
 * position minus the previous one minus one. Dense runs of changes cost one byte each.
 */
public final class Positions {
    private Positions() {
    }

    public static byte[] encode(int[] positions, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(count + 16);
        int previous = -1;
        for (int i = 0; i < count; i++) {
            long gap = (long) positions[i] - previous - 1;
            while (gap >= 0x80) {
                out.write((int) (gap & 0x7f) | 0x80);
                gap >>>= 7;
            }
            out.write((int) gap);
            previous = positions[i];
        }
        return out.toByteArray();
    }

    /**
     * Decodes every position in {@code data}, each below {@code units}.
     *
     * @throws InvalidEncodingException for a truncated or overlong number, or a position outside the chunk
     */
    public static int[] decode(byte[] data, long units) throws InvalidEncodingException {
        int[] positions = new int[Math.min(data.length, (int) Math.min(units, Integer.MAX_VALUE))];
        int count = 0;
        long previous = -1;
        int i = 0;
        while (i < data.length) {
            long gap = 0;
            int shift = 0;
            while (true) {
                if (i >= data.length) {
                    throw new InvalidEncodingException("positions end inside a number");
                }
                int b = data[i++] & 0xff;
                if (shift > 35) {
                    throw new InvalidEncodingException("position gap too large");
                }
                gap |= (long) (b & 0x7f) << shift;
                shift += 7;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            long position = previous + 1 + gap;
            if (position >= units) {
                throw new InvalidEncodingException("position " + position + " is outside a chunk of " + units
                        + " units");
            }
            if (count == positions.length) {
                throw new InvalidEncodingException("more positions than units in the chunk");
            }
            positions[count++] = (int) position;
            previous = position;
        }
        return java.util.Arrays.copyOf(positions, count);
    }
}
