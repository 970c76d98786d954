package io.thetahost.protocol.safetensors;

import java.util.Arrays;

/** The bytes of a gap (a region no tensor covers), kept so the file can be rebuilt byte for byte. */
public final class GapBytes implements DataItem {
    private final long offset;
    private final byte[] bytes;

    public GapBytes(long offset, byte[] bytes) {
        if (offset < 0 || bytes.length == 0) {
            throw new IllegalArgumentException("gap of " + bytes.length + " bytes at offset " + offset);
        }
        this.offset = offset;
        this.bytes = bytes.clone();
    }

    @Override
    public long offset() {
        return offset;
    }

    public int length() {
        return bytes.length;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public Gap region() {
        return new Gap(offset, bytes.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GapBytes && ((GapBytes) o).offset == offset && Arrays.equals(((GapBytes) o).bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(offset) * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "GapBytes[offset=" + offset + ", length=" + bytes.length + "]";
    }
}
