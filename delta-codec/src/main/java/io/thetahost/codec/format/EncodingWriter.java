package io.thetahost.codec.format;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Writes an encoding: the header, the shared sections, then each chunk's sections in order. The layout, all integers
 * little-endian:
 *
 * <pre>
 * "TENC" u8 version (1, or 2 for low-rank)  u8 kind  u8 dtype-code  u8 rank  u64 dims[rank]
 * 32 bytes target id   32 bytes base id (zeros when none)   u64 rows-per-chunk
 * u32 low-rank rank    u32 sparse-ternary magnitude (float32 bits)
 * u32 n  section[n]                      shared sections
 * per chunk: u32 n  section[n]
 * "TEND"
 * section: u8 tag  u8 codec (0 stored, 1 zstd, 2 planar)  u64 raw length  u64 stored length  bytes
 * planar:  u8 planes, then per plane: u8 codec (0 stored, 1 zstd)  u64 stored length  bytes
 * </pre>
 */
public final class EncodingWriter {
    static final byte[] MAGIC = {'T', 'E', 'N', 'C'};
    static final byte[] END = {'T', 'E', 'N', 'D'};

    private final OutputStream out;
    private final int level;
    private final EncodingHeader header;
    private long chunksWritten;

    /** Writes the header and shared sections; chunks follow with {@link #chunk}. */
    public EncodingWriter(OutputStream out, EncodingHeader header, List<Section> shared, int zstdLevel)
            throws IOException {
        this.out = out;
        this.level = zstdLevel;
        this.header = header;
        out.write(MAGIC);
        out.write(header.version());
        out.write(header.kind().code());
        out.write(header.dtype().code());
        out.write(header.shape().rank());
        for (long d : header.shape().dims()) {
            LittleEndian.write(out, d, 8);
        }
        out.write(header.target().digest());
        out.write(header.base() == null ? new byte[32] : header.base().digest());
        LittleEndian.write(out, header.rowsPerChunk(), 8);
        LittleEndian.write(out, header.rank(), 4);
        LittleEndian.write(out, Float.floatToRawIntBits(header.magnitude()), 4);
        sections(shared);
    }

    public void chunk(List<Section> sections) throws IOException {
        if (chunksWritten == header.chunkCount()) {
            throw new IllegalStateException("all " + chunksWritten + " chunks are written");
        }
        sections(sections);
        chunksWritten++;
    }

    /** Ends the encoding; every chunk must have been written. */
    public void finish() throws IOException {
        if (chunksWritten != header.chunkCount()) {
            throw new IllegalStateException(chunksWritten + " of " + header.chunkCount() + " chunks written");
        }
        out.write(END);
        out.flush();
    }

    /**
     * The bytes {@link #chunk} writes for these sections, compressed as it compresses them, without writing them: what
     * the encoder prices a candidate with.
     */
    public static long sectionsBytes(List<Section> sections, int zstdLevel) {
        Counting counting = new Counting();
        try {
            writeSections(counting, sections, zstdLevel);
        } catch (IOException e) {
            throw new IllegalStateException("counting cannot fail", e);
        }
        return counting.count;
    }

    private void sections(List<Section> sections) throws IOException {
        writeSections(out, sections, level);
    }

    private static void writeSections(OutputStream out, List<Section> sections, int level) throws IOException {
        LittleEndian.write(out, sections.size(), 4);
        for (Section s : sections) {
            SectionCodec.Stored stored = SectionCodec.compress(s, level);
            out.write(s.tag().code());
            out.write(stored.codec());
            LittleEndian.write(out, s.data().length, 8);
            LittleEndian.write(out, stored.length(), 8);
            out.write(stored.bytes(), 0, stored.length());
        }
    }

    /** Counts what is written to it. */
    private static final class Counting extends OutputStream {
        private long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
