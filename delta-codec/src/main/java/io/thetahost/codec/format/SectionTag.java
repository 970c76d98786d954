package io.thetahost.codec.format;

import java.util.Optional;

/** What a section of an encoding holds. */
public enum SectionTag {
    /** Byte planes of the chunk's units (dense values, or target XOR base). */
    PLANES(1),
    /** Changed unit positions within the chunk, delta-coded as unsigned LEB128. */
    POSITIONS(2),
    /** The new values of the changed units, raw little-endian. */
    VALUES(3),
    /** One bit per changed unit: 1 for +magnitude, 0 for -magnitude. */
    SIGNS(4),
    /** Low-rank factor A (r x n float32), shared by all chunks. */
    FACTOR_A(5),
    /** The chunk's rows of low-rank factor B (rows x r float32). */
    FACTOR_B(6),
    /** Byte planes of the zigzag modular difference between the target and the structured apply. */
    RESIDUAL(7);

    private final int code;

    SectionTag(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<SectionTag> byCode(int code) {
        for (SectionTag t : values()) {
            if (t.code == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
