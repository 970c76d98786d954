package io.thetahost.codec.format;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** How a stored tensor is encoded: self-contained, or a patch against a base tensor. */
public enum EncodingKind {
    /** The value itself: byte planes, compressed. */
    DENSE(0, false, "dense"),
    /** The bitwise difference to the base: byte planes of target XOR base, compressed. */
    XOR(1, true, "xor"),
    /** The elements that differ from the base: their positions and their new values. */
    SPARSE(2, true, "sparse"),
    /** Factors B (m x r) and A (r x n) whose canonical apply to the base gives the target (docs/DESIGN.md §3). */
    LOW_RANK(3, true, "low-rank"),
    /** Positions and signs of changed elements, and one magnitude: target = base + magnitude * sign. */
    SPARSE_TERNARY(4, true, "sparse-ternary");

    private final int code;
    private final boolean needsBase;
    private final String displayName;

    EncodingKind(int code, boolean needsBase, String displayName) {
        this.code = code;
        this.needsBase = needsBase;
        this.displayName = displayName;
    }

    public int code() {
        return code;
    }

    public boolean needsBase() {
        return needsBase;
    }

    /** The name people see: {@code dense}, {@code low-rank}, ... */
    public String displayName() {
        return displayName;
    }

    /** The sections every chunk of this kind must have. */
    public Set<SectionTag> requiredChunkSections() {
        switch (this) {
            case DENSE:
            case XOR:
                return EnumSet.of(SectionTag.PLANES);
            case SPARSE:
                return EnumSet.of(SectionTag.POSITIONS, SectionTag.VALUES);
            case SPARSE_TERNARY:
                return EnumSet.of(SectionTag.POSITIONS, SectionTag.SIGNS);
            default:
                return EnumSet.of(SectionTag.FACTOR_B);
        }
    }

    /** The sections a chunk of this kind may have: the required ones, and a residual for every patch. */
    public Set<SectionTag> allowedChunkSections() {
        Set<SectionTag> allowed = requiredChunkSections();
        if (needsBase) {
            allowed.add(SectionTag.RESIDUAL);
        }
        return allowed;
    }

    /** The shared sections, before the first chunk. */
    public Set<SectionTag> sharedSections() {
        return this == LOW_RANK ? EnumSet.of(SectionTag.FACTOR_A) : EnumSet.noneOf(SectionTag.class);
    }

    public static Optional<EncodingKind> byCode(int code) {
        for (EncodingKind k : values()) {
            if (k.code == code) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
