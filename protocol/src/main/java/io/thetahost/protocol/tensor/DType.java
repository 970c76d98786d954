package io.thetahost.protocol.tensor;

import java.util.Optional;

/**
 * The element types of the safetensors format, with the name the format writes, the element size in bits and a
 * stable one-byte code for binary formats. Sub-byte types (F4, F6_*) are packed: a tensor's size in bits must be a
 * whole number of bytes.
 */
public enum DType {
    BOOL("BOOL", 8, Kind.BOOL, 1),
    F4("F4", 4, Kind.FLOAT, 2),
    F6_E2M3("F6_E2M3", 6, Kind.FLOAT, 3),
    F6_E3M2("F6_E3M2", 6, Kind.FLOAT, 4),
    U8("U8", 8, Kind.UINT, 5),
    I8("I8", 8, Kind.INT, 6),
    F8_E5M2("F8_E5M2", 8, Kind.FLOAT, 7),
    F8_E4M3("F8_E4M3", 8, Kind.FLOAT, 8),
    F8_E8M0("F8_E8M0", 8, Kind.FLOAT, 9),
    F8_E4M3FNUZ("F8_E4M3FNUZ", 8, Kind.FLOAT, 10),
    F8_E5M2FNUZ("F8_E5M2FNUZ", 8, Kind.FLOAT, 11),
    I16("I16", 16, Kind.INT, 12),
    U16("U16", 16, Kind.UINT, 13),
    F16("F16", 16, Kind.FLOAT, 14),
    BF16("BF16", 16, Kind.FLOAT, 15),
    I32("I32", 32, Kind.INT, 16),
    U32("U32", 32, Kind.UINT, 17),
    F32("F32", 32, Kind.FLOAT, 18),
    C64("C64", 64, Kind.COMPLEX, 19),
    F64("F64", 64, Kind.FLOAT, 20),
    I64("I64", 64, Kind.INT, 21),
    U64("U64", 64, Kind.UINT, 22);

    /** What the bits of an element mean. */
    public enum Kind { BOOL, INT, UINT, FLOAT, COMPLEX }

    private final String formatName;
    private final int bits;
    private final Kind kind;
    private final int code;

    DType(String formatName, int bits, Kind kind, int code) {
        this.formatName = formatName;
        this.bits = bits;
        this.kind = kind;
        this.code = code;
    }

    /** The name safetensors writes, for example {@code F32}. */
    public String formatName() {
        return formatName;
    }

    public int bits() {
        return bits;
    }

    public Kind kind() {
        return kind;
    }

    /** The stable code used in binary formats (never reused, never renumbered). */
    public int code() {
        return code;
    }

    /** Whether an element occupies whole bytes (every type but F4 and F6_*). */
    public boolean isByteAligned() {
        return bits % 8 == 0;
    }

    /** Bytes per element; only for byte-aligned types. */
    public int byteSize() {
        if (!isByteAligned()) {
            throw new IllegalStateException(formatName + " elements are not whole bytes");
        }
        return bits / 8;
    }

    /**
     * The size in bytes of {@code elements} elements.
     *
     * @throws ArithmeticException when the size overflows a long or is not a whole number of bytes
     */
    public long sizeOf(long elements) {
        long totalBits = Math.multiplyExact(elements, (long) bits);
        if (totalBits % 8 != 0) {
            throw new ArithmeticException(elements + " elements of " + formatName + " are not a whole number of bytes");
        }
        return totalBits / 8;
    }

    public static Optional<DType> byFormatName(String name) {
        for (DType t : values()) {
            if (t.formatName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    public static Optional<DType> byCode(int code) {
        for (DType t : values()) {
            if (t.code == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
