package io.thetahost.protocol.manifest;

import io.thetahost.protocol.safetensors.DataItem;
import io.thetahost.protocol.safetensors.GapBytes;
import io.thetahost.protocol.safetensors.InvalidCheckpointException;
import io.thetahost.protocol.safetensors.Quoting;
import io.thetahost.protocol.safetensors.SafetensorsHeader;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.safetensors.SafetensorsReader;
import io.thetahost.protocol.safetensors.TensorData;
import io.thetahost.protocol.safetensors.TensorEntry;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns a checkpoint into a manifest plus tensors and back, streaming: one pass over the file, each tensor's id
 * computed while its bytes go to a {@link TensorSink}, and on the way back each tensor's bytes checked against its id
 * while they are written out.
 */
public final class Checkpoints {
    private Checkpoints() {
    }

    /**
     * Reads a checkpoint once, handing each tensor to {@code sink} while its id is computed. The stream is read to its
     * end (to check that nothing follows) and is not closed.
     *
     * @return the manifest, only if the whole file was valid
     * @throws InvalidCheckpointException if the checkpoint is refused; tensors already handed to the sink are
     *     correct values all the same
     */
    public static Manifest split(InputStream checkpoint, SafetensorsLimits limits, TensorSink sink)
            throws IOException {
        return split(SafetensorsReader.open(checkpoint, limits), sink);
    }

    /** As {@link #split(InputStream, SafetensorsLimits, TensorSink)}; a truncated file is refused before any tensor. */
    public static Manifest split(Path checkpoint, SafetensorsLimits limits, TensorSink sink) throws IOException {
        try (SafetensorsReader reader = SafetensorsReader.open(checkpoint, limits)) {
            return split(reader, sink);
        }
    }

    private static Manifest split(SafetensorsReader reader, TensorSink sink) throws IOException {
        Objects.requireNonNull(sink, "sink");
        SafetensorsHeader header = reader.header();
        List<TensorId> ids = new ArrayList<>(header.tensors().size());
        List<GapBytes> gaps = new ArrayList<>(header.gaps().size() + 1);
        for (DataItem item; (item = reader.next()) != null; ) {
            if (item instanceof TensorData) {
                TensorData data = (TensorData) item;
                TensorStream bytes = new TensorStream(data.entry(), data.bytes());
                sink.accept(data.entry(), bytes);
                ids.add(bytes.finish());
            } else {
                gaps.add((GapBytes) item);
            }
        }
        return Manifest.of(header, ids, gaps);
    }

    /**
     * Writes the exact checkpoint a manifest was split from: the length, the header bytes, and each tensor (fetched by
     * id from {@code source}, checked against the id as it streams out) and gap in file order. The output is flushed,
     * not closed.
     *
     * <p>Bytes reach {@code out} before a tensor's hash can be checked, so on any exception the output is garbage:
     * callers write to a temporary file and rename it into place only when this returns.
     *
     * @throws TensorMismatchException naming the tensor, if the source's bytes are short, long, or hash to another id
     */
    public static void assemble(Manifest manifest, TensorSource source, OutputStream out) throws IOException {
        assemble(manifest, source, out, 0, manifest.fileSize());
    }

    /**
     * Writes bytes {@code from} (inclusive) to {@code to} (exclusive) of the checkpoint a manifest rebuilds, without
     * opening the tensors wholly outside that range: a range over the header costs the header. A tensor the range
     * covers in part is still read to its end, so that every tensor whose bytes are written is checked against its
     * id before this returns (a failure is the same as {@link #assemble(Manifest, TensorSource, OutputStream)}'s:
     * whoever reads {@code out} must discard it). The output is flushed, not closed.
     *
     * @throws IllegalArgumentException if the range is not within the file
     */
    public static void assemble(Manifest manifest, TensorSource source, OutputStream out, long from, long to)
            throws IOException {
        long size = manifest.fileSize();
        if (from < 0 || to < from || to > size) {
            throw new IllegalArgumentException("bytes " + from + " to " + to + " are not within the file's " + size);
        }
        Window window = new Window(out, from, to);
        SafetensorsHeader header = manifest.header();
        byte[] start = header.fileStart();
        window.write(0, start, 0, start.length);
        long data = start.length;
        List<TensorEntry> entries = header.tensors();
        List<GapBytes> gaps = manifest.gaps();
        int g = 0;
        for (int i = 0; i < entries.size(); i++) {
            TensorEntry entry = entries.get(i);
            // Gaps end where a tensor begins; zero-byte tensors at a gap's start come before it.
            while (g < gaps.size() && gaps.get(g).offset() < entry.begin()) {
                GapBytes gap = gaps.get(g++);
                window.write(data + gap.offset(), gap.bytes(), 0, gap.length());
            }
            if (overlaps(from, to, data + entry.begin(), data + entry.end())) {
                writeTensor(window, data + entry.begin(), entry, manifest.tensors().get(i).id(), source);
            }
        }
        while (g < gaps.size()) {
            GapBytes gap = gaps.get(g++);
            window.write(data + gap.offset(), gap.bytes(), 0, gap.length());
        }
        out.flush();
    }

    /**
     * The tensors {@link #assemble(Manifest, TensorSource, OutputStream, long, long)} opens for a range, in the order
     * it opens them: for a source that decodes ahead.
     */
    public static List<ManifestTensor> tensorsIn(Manifest manifest, long from, long to) {
        long data = 8L + manifest.header().length();
        List<TensorEntry> entries = manifest.header().tensors();
        List<ManifestTensor> in = new java.util.ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (overlaps(from, to, data + entries.get(i).begin(), data + entries.get(i).end())) {
                in.add(manifest.tensors().get(i));
            }
        }
        return in;
    }

    /** Whether a piece of the file overlaps the range; an empty tensor counts where it sits. */
    private static boolean overlaps(long from, long to, long begin, long end) {
        return begin < to && end > from || begin == end && begin >= from && begin < to;
    }

    /** The part of a file between two offsets: bytes written at a position are passed on where they fall inside. */
    private record Window(OutputStream out, long from, long to) {
        /** Passes on the part of {@code b[off, off + len)}, which lies at file offset {@code at}, inside the window. */
        void write(long at, byte[] b, int off, int len) throws IOException {
            long start = Math.max(at, from);
            long end = Math.min(at + len, to);
            if (start < end) {
                out.write(b, off + (int) (start - at), (int) (end - start));
            }
        }
    }

    private static void writeTensor(Window window, long at, TensorEntry entry, TensorId id, TensorSource source)
            throws IOException {
        try (VerifyingStream in = open(entry, id, source)) {
            byte[] buffer = new byte[(int) Math.min(COPY_BUFFER, Math.max(1, entry.size()))];
            long position = at;
            long end = at + entry.size();
            while (position < end) {
                int r = in.read(buffer, 0, (int) Math.min(buffer.length, end - position));
                if (r < 0) {
                    break;
                }
                window.write(position, buffer, 0, r);
                position += r;
            }
            // Past the window the bytes are still read: the id is checked at the tensor's end. A short source was
            // refused as it ended; this read refuses a long one.
            in.read();
            in.check();
        }
    }

    private static final int COPY_BUFFER = 64 * 1024;

    /** The tensor's bytes from the source, counted (and hashed unless the source checks them) as they are read. */
    private static VerifyingStream open(TensorEntry entry, TensorId id, TensorSource source) throws IOException {
        String where = "tensor " + Quoting.quote(entry.name()) + " (" + id + ")";
        InputStream raw;
        try {
            raw = source.open(id, entry.dtype(), entry.shape());
        } catch (IOException e) {
            throw new IOException(where + ": the tensor source cannot give it: "
                    + Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()), e);
        }
        if (raw == null) {
            throw new IOException(where + ": the tensor source has no such tensor");
        }
        return new VerifyingStream(entry, id, where, raw, !source.verifiesIds());
    }

    /**
     * A tensor source's bytes, counted and hashed as they pass ({@link TensorStream}); short or long is refused as
     * soon as it shows, and a source that fails while read is named.
     */
    private static final class VerifyingStream extends InputStream {
        private final TensorEntry entry;
        private final TensorId id;
        private final String where;
        private final InputStream in;
        private final TensorStream bytes;
        private final boolean hash;

        /** @param hash false when the source checks the id itself: the bytes are then only counted */
        VerifyingStream(TensorEntry entry, TensorId id, String where, InputStream in, boolean hash) {
            this.entry = entry;
            this.id = id;
            this.where = where;
            this.in = in;
            this.hash = hash;
            this.bytes = new TensorStream(entry, in, read -> mismatch("the tensor source gave " + read + " of its "
                    + entry.size() + " bytes"), hash);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int r = read(one, 0, 1);
            return r < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            try {
                if (bytes.isComplete()) {
                    if (in.read() >= 0) {
                        throw mismatch("the tensor source gave more than its " + entry.size() + " bytes");
                    }
                    return -1;
                }
                return bytes.read(b, off, len);
            } catch (TensorMismatchException e) {
                throw e;
            } catch (IOException e) {
                throw new IOException(where + ": the tensor source failed while it was read: "
                        + Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()), e);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        void check() throws TensorMismatchException {
            if (!hash) {
                return;
            }
            TensorId actual = bytes.id();
            if (!actual.equals(id)) {
                throw mismatch("the bytes from the tensor source hash to " + actual + ", not to the manifest's id");
            }
        }

        private TensorMismatchException mismatch(String what) {
            return new TensorMismatchException(entry.name(), id, where + ": " + what);
        }
    }
}
