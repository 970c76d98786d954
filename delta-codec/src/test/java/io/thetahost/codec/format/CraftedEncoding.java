package io.thetahost.codec.format;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An encoding written field by field in the layout of {@link EncodingWriter}'s javadoc, so that a test can write what
 * no encoder would: every field is public and written as it is, whatever it says.
 *
 * <pre>
 * "TENC" u8 version=1  u8 kind  u8 dtype-code  u8 rank  u64 dims[rank]
 * 32 bytes target id   32 bytes base id (zeros when none)   u64 rows-per-chunk
 * u32 low-rank rank    u32 sparse-ternary magnitude (float32 bits)
 * u32 n  section[n]                      shared sections
 * per chunk: u32 n  section[n]
 * "TEND"
 * section: u8 tag  u8 codec (0 stored, 1 zstd)  u64 raw length  u64 stored length  bytes
 * </pre>
 */
final class CraftedEncoding {
    static final int STORED = 0;
    static final int ZSTD = 1;

    byte[] magic = "TENC".getBytes(StandardCharsets.US_ASCII);
    int version = 1;
    int kind;
    int dtype;
    /** The dimension count written; by default the length of {@link #dims}. */
    Integer rank;
    long[] dims = {};
    byte[] target = new byte[32];
    byte[] base = new byte[32];
    long rowsPerChunk = 1;
    long lowRank;
    float magnitude;
    List<Sec> shared = new ArrayList<>();
    List<List<Sec>> chunks = new ArrayList<>();
    /** Section counts written instead of the true ones: key -1 for the shared sections, else the chunk index. */
    Map<Integer, Long> declaredCounts = new HashMap<>();
    byte[] end = "TEND".getBytes(StandardCharsets.US_ASCII);
    byte[] trailing = {};

    /** One section as written: the lengths are whatever the test says, the bytes follow them. */
    record Sec(int tag, int codec, long raw, long stored, byte[] bytes) {

        static Sec stored(SectionTag tag, byte[] data) {
            return new Sec(tag.code(), STORED, data.length, data.length, data);
        }

        /** A zstd frame that declares its content size. */
        static Sec zstd(SectionTag tag, byte[] data) {
            byte[] z = Zstd.compress(data, 3);
            return new Sec(tag.code(), ZSTD, data.length, z.length, z);
        }

        /** A zstd frame of {@code content} without a declared content size, under the raw length the test says. */
        static Sec zstdWithoutSize(SectionTag tag, byte[] content, long raw) {
            byte[] z;
            try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
                z = ctx.setLevel(3).setContentSize(false).compress(content);
            }
            return new Sec(tag.code(), ZSTD, raw, z.length, z);
        }

        Sec withRaw(long newRaw) {
            return new Sec(tag, codec, newRaw, stored, bytes);
        }

        Sec withStored(long newStored) {
            return new Sec(tag, codec, raw, newStored, bytes);
        }

        Sec withTag(int newTag) {
            return new Sec(newTag, codec, raw, stored, bytes);
        }

        Sec withCodec(int newCodec) {
            return new Sec(tag, newCodec, raw, stored, bytes);
        }

        /** The same lengths, the bytes given (which may not fit them). */
        Sec withBytes(byte[] newBytes) {
            return new Sec(tag, codec, raw, stored, newBytes);
        }

        byte[] data() {
            return bytes;
        }
    }

    /** A real encoder's output, read back and held field by field, every section stored as it is (uncompressed). */
    static CraftedEncoding of(byte[] encoding) throws IOException {
        EncodingReader reader = new EncodingReader(new ByteArrayInputStream(encoding), DecodeLimits.defaults());
        EncodingHeader h = reader.header();
        CraftedEncoding c = new CraftedEncoding();
        c.kind = h.kind().code();
        c.dtype = h.dtype().code();
        c.dims = h.shape().dims();
        c.target = h.target().digest();
        c.base = h.base() == null ? new byte[32] : h.base().digest();
        c.rowsPerChunk = h.rowsPerChunk();
        c.lowRank = h.rank();
        c.magnitude = h.magnitude();
        reader.shared().forEach(s -> c.shared.add(Sec.stored(s.tag(), s.data())));
        for (long i = 0; i < h.chunkCount(); i++) {
            List<Sec> chunk = new ArrayList<>();
            // A copy: the reader fills these arrays again with the next chunk's sections.
            reader.nextChunk().forEach(s -> chunk.add(Sec.stored(s.tag(), s.data().clone())));
            c.chunks.add(chunk);
        }
        reader.finish();
        return c;
    }

    /** A header-only start: the kind, dtype and dims given, no base, one row per chunk, no sections yet. */
    static CraftedEncoding header(EncodingKind kind, DType dtype, long... dims) {
        CraftedEncoding c = new CraftedEncoding();
        c.kind = kind.code();
        c.dtype = dtype.code();
        c.dims = dims;
        return c;
    }

    CraftedEncoding target(TensorId id) {
        this.target = id.digest();
        return this;
    }

    CraftedEncoding base(TensorId id) {
        this.base = id.digest();
        return this;
    }

    /** A chunk's sections, to change them in place. */
    List<Sec> chunk(int index) {
        return chunks.get(index);
    }

    /** The one section of a tag in a chunk. */
    Sec section(int chunk, SectionTag tag) {
        return chunks.get(chunk).stream().filter(s -> s.tag() == tag.code()).findFirst().orElseThrow();
    }

    void replace(int chunk, SectionTag tag, Sec replacement) {
        List<Sec> sections = chunks.get(chunk);
        sections.set(sections.indexOf(section(chunk, tag)), replacement);
    }

    void remove(int chunk, SectionTag tag) {
        chunks.get(chunk).remove(section(chunk, tag));
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(magic);
        out.write(version);
        out.write(kind);
        out.write(dtype);
        out.write(rank == null ? dims.length : rank);
        for (long d : dims) {
            le(out, d, 8);
        }
        out.writeBytes(target);
        out.writeBytes(base);
        le(out, rowsPerChunk, 8);
        le(out, lowRank, 4);
        le(out, Float.floatToRawIntBits(magnitude), 4);
        sections(out, -1, shared);
        for (int i = 0; i < chunks.size(); i++) {
            sections(out, i, chunks.get(i));
        }
        out.writeBytes(end);
        out.writeBytes(trailing);
        return out.toByteArray();
    }

    private void sections(ByteArrayOutputStream out, int where, List<Sec> sections) {
        le(out, declaredCounts.getOrDefault(where, (long) sections.size()), 4);
        for (Sec s : sections) {
            out.write(s.tag());
            out.write(s.codec());
            le(out, s.raw(), 8);
            le(out, s.stored(), 8);
            out.writeBytes(s.bytes());
        }
    }

    private static void le(ByteArrayOutputStream out, long v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (v >>> (8 * i)));
        }
    }
}
