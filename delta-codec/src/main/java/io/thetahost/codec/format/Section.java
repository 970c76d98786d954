package io.thetahost.codec.format;

/**
 * One section of an encoding, decompressed.
 *
 * @param planes how many byte planes of equal size the data is made of (1 when it is not planar); each plane is
 *     compressed on its own, since planes of different significance have nothing in common
 */
public record Section(SectionTag tag, byte[] data, int planes) {

    public Section {
        if (planes < 1 || planes > 8 || data.length % planes != 0) {
            throw new IllegalArgumentException(planes + " planes for a section of " + data.length + " bytes");
        }
    }

    public Section(SectionTag tag, byte[] data) {
        this(tag, data, 1);
    }
}
