package io.thetahost.protocol.safetensors;

/** A region of the data area that no tensor covers: {@code length} bytes from {@code offset} (data-area relative). */
public record Gap(long offset, long length) {
    public Gap {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("gap of " + length + " bytes at offset " + offset);
        }
    }

    public long end() {
        return offset + length;
    }
}
