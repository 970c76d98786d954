package io.thetahost.codec.encodings;

import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.codec.format.Section;
import io.thetahost.codec.format.SectionTag;
import io.thetahost.protocol.tensor.DType;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one chunk's sections (and the base's chunk) back into the chunk's bytes, for whichever kind the header
 * names; checks that each kind gets exactly the sections it uses.
 */
public final class ChunkApply {
    private final EncodingHeader header;
    private final byte[] factorA;

    private ChunkApply(EncodingHeader header, byte[] factorA) {
        this.header = header;
        this.factorA = factorA;
    }

    public static ChunkApply prepare(EncodingHeader header, List<Section> shared) throws InvalidEncodingException {
        DType dtype = header.dtype();
        Map<SectionTag, byte[]> s = byTag(shared, "shared sections");
        byte[] a = null;
        if (header.kind() == EncodingKind.LOW_RANK) {
            if (!LowRankEncoding.supports(dtype)) {
                throw new InvalidEncodingException("low-rank encoding of " + dtype.formatName() + " is not defined");
            }
            require(s, EnumSet.of(SectionTag.FACTOR_A), EnumSet.noneOf(SectionTag.class), "shared sections");
            a = s.get(SectionTag.FACTOR_A);
        } else {
            require(s, EnumSet.noneOf(SectionTag.class), EnumSet.noneOf(SectionTag.class), "shared sections");
        }
        if (header.kind() == EncodingKind.SPARSE_TERNARY && !SparseTernaryEncoding.supports(dtype)) {
            throw new InvalidEncodingException("sparse-ternary encoding of " + dtype.formatName() + " is not defined");
        }
        return new ChunkApply(header, a);
    }

    public byte[] chunk(long index, List<Section> sections, byte[] base) throws InvalidEncodingException {
        String where = "chunk " + index;
        Map<SectionTag, byte[]> s = byTag(sections, where);
        DType dtype = header.dtype();
        long expected = header.chunkBytes(index);
        Set<SectionTag> optional = EnumSet.of(SectionTag.RESIDUAL);
        byte[] out;
        switch (header.kind()) {
            case DENSE:
                require(s, EnumSet.of(SectionTag.PLANES), EnumSet.noneOf(SectionTag.class), where);
                checkLength(s.get(SectionTag.PLANES), expected, where + " planes");
                out = DenseEncoding.apply(s.get(SectionTag.PLANES), dtype);
                break;
            case XOR:
                require(s, EnumSet.of(SectionTag.PLANES), optional, where);
                checkLength(s.get(SectionTag.PLANES), expected, where + " planes");
                out = XorEncoding.apply(s.get(SectionTag.PLANES), base, dtype);
                break;
            case SPARSE:
                require(s, EnumSet.of(SectionTag.POSITIONS, SectionTag.VALUES), optional, where);
                out = SparseEncoding.apply(s.get(SectionTag.POSITIONS), s.get(SectionTag.VALUES), base, dtype);
                break;
            case SPARSE_TERNARY:
                require(s, EnumSet.of(SectionTag.POSITIONS, SectionTag.SIGNS), optional, where);
                out = SparseTernaryEncoding.apply(s.get(SectionTag.POSITIONS), s.get(SectionTag.SIGNS),
                        header.magnitude(), base, dtype);
                break;
            case LOW_RANK:
                require(s, EnumSet.of(SectionTag.FACTOR_B), optional, where);
                out = LowRankEncoding.apply(s.get(SectionTag.FACTOR_B), factorA, header.rank(),
                        Math.toIntExact(header.chunkRows(index)), Math.toIntExact(header.shape().rowElements()),
                        base, dtype);
                break;
            default:
                throw new InvalidEncodingException("unknown kind " + header.kind());
        }
        byte[] residual = s.get(SectionTag.RESIDUAL);
        if (residual != null) {
            Residual.apply(out, residual, Units.of(dtype).width());
        }
        return out;
    }

    private static Map<SectionTag, byte[]> byTag(List<Section> sections, String where) {
        Map<SectionTag, byte[]> m = new EnumMap<>(SectionTag.class);
        for (Section s : sections) {
            m.put(s.tag(), s.data());
        }
        return m;
    }

    private static void require(Map<SectionTag, byte[]> present, Set<SectionTag> required, Set<SectionTag> optional,
            String where) throws InvalidEncodingException {
        for (SectionTag t : required) {
            if (!present.containsKey(t)) {
                throw new InvalidEncodingException(where + ": missing " + t + " section");
            }
        }
        for (SectionTag t : present.keySet()) {
            if (!required.contains(t) && !optional.contains(t)) {
                throw new InvalidEncodingException(where + ": unexpected " + t + " section");
            }
        }
    }

    private static void checkLength(byte[] data, long expected, String what) throws InvalidEncodingException {
        if (data.length != expected) {
            throw new InvalidEncodingException(what + " hold " + data.length + " bytes, the chunk has " + expected);
        }
    }
}
