package io.thetahost.protocol.transfer;

import java.util.Optional;

/**
 * The kind of encoding a downloaded object carries, as the {@code object} line names it. The names are the codec's
 * (delta-codec/ENCODINGS.md); this enum lives here because the protocol module cannot depend on the codec.
 */
public enum WireEncoding {
    DENSE("dense", false),
    XOR("xor", true),
    SPARSE("sparse", true),
    LOW_RANK("low-rank", true),
    SPARSE_TERNARY("sparse-ternary", true);

    private final String wireName;
    private final boolean needsBase;

    WireEncoding(String wireName, boolean needsBase) {
        this.wireName = wireName;
        this.needsBase = needsBase;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether the encoding is a patch against a base tensor (every kind but dense). */
    public boolean needsBase() {
        return needsBase;
    }

    public static Optional<WireEncoding> byWireName(String name) {
        for (WireEncoding e : values()) {
            if (e.wireName.equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
