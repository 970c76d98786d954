package io.thetahost.codec.encodings;

import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.codec.format.Section;
import io.thetahost.codec.format.SectionTag;
import io.thetahost.protocol.tensor.DType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one chunk's sections (and the base's chunk) back into the chunk's bytes, for whichever kind the header
 * names; checks that each kind gets exactly the sections it uses.
 */
public final class ChunkApply {
    private final EncodingHeader header;
    /** Factor A as rows of floats, converted once for every chunk (low-rank only). */
    private final float[][] factorA;

    private ChunkApply(EncodingHeader header, float[][] factorA) {
        this.header = header;
        this.factorA = factorA;
    }

    public static ChunkApply prepare(EncodingHeader header, List<Section> shared) throws InvalidEncodingException {
        DType dtype = header.dtype();
        Map<SectionTag, byte[]> s = byTag(shared, "shared sections");
        if (header.kind() == EncodingKind.LOW_RANK && !LowRankEncoding.supports(dtype)) {
            throw new InvalidEncodingException("low-rank encoding of " + dtype.formatName() + " is not defined");
        }
        require(s, header.kind().sharedSections(), "shared sections");
        float[][] a = null;
        if (header.kind() == EncodingKind.LOW_RANK) {
            a = LowRankEncoding.factorA(s.get(SectionTag.FACTOR_A), header.rank(),
                    Math.toIntExact(header.shape().rowElements()));
        }
        if (header.kind() == EncodingKind.SPARSE_TERNARY && !SparseTernaryEncoding.supports(dtype)) {
            throw new InvalidEncodingException("sparse-ternary encoding of " + dtype.formatName() + " is not defined");
        }
        return new ChunkApply(header, a);
    }

    /**
     * @param base the base's chunk, which this may overwrite: the patch kinds apply in place, and the result may be
     *     this array; for dense, which has no base, an array of the chunk's size that this writes the chunk into, or
     *     null for a new one
     */
    public byte[] chunk(long index, List<Section> sections, byte[] base) throws InvalidEncodingException {
        String where = "chunk " + index;
        Map<SectionTag, byte[]> s = byTag(sections, where);
        DType dtype = header.dtype();
        long expected = header.chunkBytes(index);
        require(s, header.kind().requiredChunkSections(), where);
        byte[] out;
        switch (header.kind()) {
            case DENSE:
                checkLength(s.get(SectionTag.PLANES), expected, where + " planes");
                out = DenseEncoding.apply(s.get(SectionTag.PLANES), dtype,
                        base != null && base.length == expected ? base : new byte[(int) expected]);
                break;
            case XOR:
                checkLength(s.get(SectionTag.PLANES), expected, where + " planes");
                out = XorEncoding.apply(s.get(SectionTag.PLANES), base, dtype);
                break;
            case SPARSE:
                out = SparseEncoding.apply(s.get(SectionTag.POSITIONS), s.get(SectionTag.VALUES), base, dtype);
                break;
            case SPARSE_TERNARY:
                out = SparseTernaryEncoding.apply(s.get(SectionTag.POSITIONS), s.get(SectionTag.SIGNS),
                        header.magnitude(), base, dtype);
                break;
            case LOW_RANK:
                out = LowRankEncoding.apply(header.version(), s.get(SectionTag.FACTOR_B), factorA, header.rank(),
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

    /** The reader has refused tags the kind does not use; what is left to check is that none is missing. */
    private static void require(Map<SectionTag, byte[]> present, Set<SectionTag> required, String where)
            throws InvalidEncodingException {
        for (SectionTag t : required) {
            if (!present.containsKey(t)) {
                throw new InvalidEncodingException(where + ": missing " + t + " section");
            }
        }
    }

    private static void checkLength(byte[] data, long expected, String what) throws InvalidEncodingException {
        if (data.length != expected) {
            throw new InvalidEncodingException(what + " hold " + data.length + " bytes, the chunk has " + expected);
        }
    }
}
