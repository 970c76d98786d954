package io.thetahost.codec.format;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads an encoding written by {@link EncodingWriter}, checking every declared size against the {@link DecodeLimits}
 * and against what the header implies before allocating or decompressing: a section may not be larger than the
 * chunk it belongs to (or the shared factor its rank and shape give), so a hostile encoding cannot make the decoder
 * allocate or inflate more than the limits allow.
 */
public final class EncodingReader {
    /** More sections than any kind writes in one place. */
    private static final int MAX_SECTIONS = 8;

    private final InputStream in;
    private final EncodingHeader header;
    private final DecodeLimits limits;
    private final List<Section> shared;
    private long chunksRead;
    /**
     * The arrays of the last chunk's sections, by tag, filled again by the next chunk's sections of the same size
     * (every chunk but the last): a chunk's sections are megabytes, and zeroing new arrays for each cost a checkout a
     * tenth of its CPU time. Bound: what one chunk's sections take, which {@link #nextChunk} limits.
     */
    private final Map<SectionTag, byte[]> lastChunk = new java.util.EnumMap<>(SectionTag.class);
    /** Compressed section bytes, read here before they are inflated; as large as the largest so far. */
    private byte[] compressed = new byte[0];

    public EncodingReader(InputStream in, DecodeLimits limits) throws IOException {
        this.in = in;
        this.limits = limits;
        this.header = readHeader();
        this.shared = readSections("shared sections", header.kind().sharedSections(),
                header.kind() == EncodingKind.LOW_RANK
                        ? Math.min(limits.maxSharedBytes(), multiplyOrMax(header.rank() * 4L,
                                header.shape().rowElements()))
                        : 0, Map.of());
    }

    public EncodingHeader header() {
        return header;
    }

    public List<Section> shared() {
        return shared;
    }

    /**
     * The next chunk's sections; each no larger than the limit for that chunk. Their arrays are this reader's, valid
     * until the next call: the next chunk's sections are read into them.
     */
    public List<Section> nextChunk() throws IOException {
        if (chunksRead >= header.chunkCount()) {
            throw new IllegalStateException("no chunk left");
        }
        long chunkBytes = header.chunkBytes(chunksRead);
        long rowsBytes = (long) header.chunkRows(chunksRead) * header.rank() * 4L;
        List<Section> sections = readSections("chunk " + chunksRead, header.kind().allowedChunkSections(),
                Math.max(chunkBytes + 64, rowsBytes) + chunkBytes / 4, lastChunk);
        lastChunk.clear();
        for (Section s : sections) {
            lastChunk.put(s.tag(), s.data());
        }
        chunksRead++;
        return sections;
    }

    /**
     * Gives the arrays of the last chunk's sections back ({@link ScratchArrays}): the sections {@link #nextChunk}
     * returned must no longer be used. {@link #finish()} does it; a reader given up on before its end should.
     */
    public void release() {
        for (byte[] a : lastChunk.values()) {
            ScratchArrays.giveBack(a);
        }
        lastChunk.clear();
        ScratchArrays.giveBack(compressed);
        compressed = new byte[0];
    }

    /** Checks that the encoding ends here, after its last chunk, and releases its arrays ({@link #release()}). */
    public void finish() throws IOException {
        if (chunksRead != header.chunkCount()) {
            throw new IllegalStateException(chunksRead + " of " + header.chunkCount() + " chunks read");
        }
        release();
        byte[] end = LittleEndian.readFully(in, 4, "the end marker");
        if (!Arrays.equals(end, EncodingWriter.END)) {
            throw new InvalidEncodingException("encoding has no end marker after its last chunk");
        }
        if (in.read() >= 0) {
            throw new InvalidEncodingException("encoding has bytes after its end marker");
        }
    }

    private EncodingHeader readHeader() throws IOException {
        byte[] magic = LittleEndian.readFully(in, 4, "the magic number");
        if (!Arrays.equals(magic, EncodingWriter.MAGIC)) {
            throw new InvalidEncodingException("not a tensor encoding (bad magic number)");
        }
        int version = (int) LittleEndian.read(in, 1, "the version");
        if (version != EncodingHeader.VERSION_1 && version != EncodingHeader.VERSION_2) {
            throw new InvalidEncodingException("unsupported encoding version " + version + " (this build reads 1 and "
                    + "2)");
        }
        int kindCode = (int) LittleEndian.read(in, 1, "the kind");
        EncodingKind kind = EncodingKind.byCode(kindCode)
                .orElseThrow(() -> new InvalidEncodingException("unknown encoding kind " + kindCode));
        int dtypeCode = (int) LittleEndian.read(in, 1, "the dtype");
        DType dtype = DType.byCode(dtypeCode)
                .orElseThrow(() -> new InvalidEncodingException("unknown dtype code " + dtypeCode));
        int rank = (int) LittleEndian.read(in, 1, "the rank");
        if (rank > Shape.MAX_DIMENSIONS) {
            throw new InvalidEncodingException("shape of " + rank + " dimensions (at most " + Shape.MAX_DIMENSIONS + ")");
        }
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = LittleEndian.read(in, 8, "the shape");
        }
        Shape shape;
        long tensorBytes;
        try {
            shape = Shape.of(dims);
            tensorBytes = dtype.sizeOf(shape.elements());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InvalidEncodingException("invalid shape " + Arrays.toString(dims) + " for " + dtype.formatName()
                    + ": " + e.getMessage());
        }
        if (tensorBytes > limits.maxTensorBytes()) {
            throw new InvalidEncodingException("tensor of " + tensorBytes + " bytes exceeds the limit of "
                    + limits.maxTensorBytes());
        }
        TensorId target = TensorId.ofDigest(LittleEndian.readFully(in, 32, "the target id"));
        byte[] baseDigest = LittleEndian.readFully(in, 32, "the base id");
        boolean hasBase = !Arrays.equals(baseDigest, new byte[32]);
        if (hasBase != kind.needsBase()) {
            throw new InvalidEncodingException(kind.displayName() + " encoding " + (hasBase ? "names" : "lacks")
                    + " a base tensor");
        }
        long rowsPerChunk = LittleEndian.read(in, 8, "the chunking");
        if (rowsPerChunk < 1) {
            throw new InvalidEncodingException("rows per chunk must be at least 1");
        }
        long rowBytes = shape.rowElements() == 0 ? 0 : dtype.sizeOf(0) + (long) Math.ceil(
                shape.rowElements() * (double) dtype.bits() / 8);
        long chunkBytes = multiplyOrMax(Math.min(rowsPerChunk, shape.rows()), rowBytes);
        if (chunkBytes > limits.maxChunkBytes()) {
            throw new InvalidEncodingException("chunks of " + Math.min(rowsPerChunk, shape.rows()) + " rows ("
                    + chunkBytes + " bytes) exceed the limit of " + limits.maxChunkBytes() + " bytes per chunk");
        }
        if (chunkBytes > Integer.MAX_VALUE - 16) {
            throw new InvalidEncodingException("chunks of " + chunkBytes + " bytes are more than a decoder holds in "
                    + "memory (at most " + (Integer.MAX_VALUE - 16) + ")");
        }
        if (!dtype.isByteAligned() && (rowsPerChunk * shape.rowElements() * dtype.bits()) % 8 != 0
                && rowsPerChunk < shape.rows()) {
            throw new InvalidEncodingException("chunks of " + rowsPerChunk + " rows split bytes of packed "
                    + dtype.formatName() + " elements");
        }
        int lowRank = (int) LittleEndian.read(in, 4, "the low-rank rank");
        int magnitudeBits = (int) LittleEndian.read(in, 4, "the magnitude");
        float magnitude = Float.intBitsToFloat(magnitudeBits);
        if (kind == EncodingKind.SPARSE_TERNARY ? !Float.isFinite(magnitude) : magnitudeBits != 0) {
            throw new InvalidEncodingException(kind == EncodingKind.SPARSE_TERNARY
                    ? "sparse-ternary magnitude " + magnitude + " is not a finite number"
                    : kind.displayName() + " encoding declares a sparse-ternary magnitude");
        }
        if (kind == EncodingKind.LOW_RANK) {
            if (lowRank < 1 || lowRank > limits.maxRank()) {
                throw new InvalidEncodingException("low-rank rank " + lowRank + " is outside 1.." + limits.maxRank());
            }
            if (shape.rank() != 2) {
                throw new InvalidEncodingException("low-rank encoding of a tensor of shape " + shape
                        + " (it needs a matrix)");
            }
            long factorBBytes = multiplyOrMax(Math.min(rowsPerChunk, shape.rows()), lowRank * 4L);
            if (factorBBytes > limits.maxChunkBytes()) {
                throw new InvalidEncodingException("chunks of " + rowsPerChunk + " rows need " + factorBBytes
                        + " bytes of factor B, more than the limit of " + limits.maxChunkBytes() + " bytes per chunk");
            }
        } else if (lowRank != 0) {
            throw new InvalidEncodingException(kind.displayName() + " encoding declares a low-rank rank");
        }
        return new EncodingHeader(kind, dtype, shape, target, hasBase ? TensorId.ofDigest(baseDigest) : null,
                rowsPerChunk, lowRank, magnitude, version);
    }

    private static long multiplyOrMax(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Reads sections, refusing any tag the kind does not use before its bytes are read or inflated; a section goes
     * into the array {@code reusable} holds for its tag when that is of its size.
     */
    private List<Section> readSections(String where, java.util.Set<SectionTag> allowed, long maxRawBytes,
            Map<SectionTag, byte[]> reusable) throws IOException {
        long n = LittleEndian.read(in, 4, where);
        if (n > MAX_SECTIONS) {
            throw new InvalidEncodingException(where + ": " + n + " sections (at most " + MAX_SECTIONS + ")");
        }
        List<Section> sections = new ArrayList<>();
        Map<SectionTag, Boolean> seen = new java.util.EnumMap<>(SectionTag.class);
        for (int i = 0; i < n; i++) {
            int tagCode = (int) LittleEndian.read(in, 1, where);
            SectionTag tag = SectionTag.byCode(tagCode)
                    .orElseThrow(() -> new InvalidEncodingException(where + ": unknown section tag " + tagCode));
            if (!allowed.contains(tag)) {
                throw new InvalidEncodingException(where + ": unexpected " + tag + " section");
            }
            if (seen.put(tag, Boolean.TRUE) != null) {
                throw new InvalidEncodingException(where + ": two " + tag + " sections");
            }
            int codec = (int) LittleEndian.read(in, 1, where);
            long raw = LittleEndian.read(in, 8, where);
            long stored = LittleEndian.read(in, 8, where);
            String what = where + " " + tag;
            if (raw < 0 || raw > maxRawBytes || raw > Integer.MAX_VALUE - 16) {
                throw new InvalidEncodingException(what + ": declares " + Long.toUnsignedString(raw)
                        + " bytes, more than the " + Math.min(maxRawBytes, Integer.MAX_VALUE - 16)
                        + " this part of the tensor can hold");
            }
            if (stored < 0 || stored > raw + 1024 + raw / 64) {
                throw new InvalidEncodingException(what + ": stored form of " + Long.toUnsignedString(stored)
                        + " bytes for " + raw + " raw bytes");
            }
            byte[] data = reusable.get(tag);
            if (data == null || data.length != raw) {
                data = ScratchArrays.takeExactly((int) raw);
            }
            if (codec == SectionCodec.STORED && stored == raw) {
                // Straight into place, rather than read and then copied.
                LittleEndian.readFully(in, data, data.length, what);
            } else {
                if (compressed.length < stored) {
                    ScratchArrays.giveBack(compressed);
                    compressed = ScratchArrays.takeAtLeast((int) stored);
                }
                LittleEndian.readFully(in, compressed, (int) stored, what);
                SectionCodec.decompress(codec, compressed, (int) stored, data, what);
            }
            sections.add(new Section(tag, data));
        }
        return sections;
    }
}
