package io.thetahost.protocol.manifest;

import io.thetahost.protocol.safetensors.DataItem;
import io.thetahost.protocol.safetensors.GapBytes;
import io.thetahost.protocol.safetensors.InvalidCheckpointException;
import io.thetahost.protocol.safetensors.Quoting;
import io.thetahost.protocol.safetensors.SafetensorsHeader;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.safetensors.SafetensorsReader;
import io.thetahost.protocol.safetensors.SafetensorsWriter;
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
        SafetensorsHeader header = manifest.header();
        SafetensorsWriter writer = new SafetensorsWriter(out, header);
        List<TensorEntry> entries = header.tensors();
        List<GapBytes> gaps = manifest.gaps();
        int g = 0;
        for (int i = 0; i < entries.size(); i++) {
            TensorEntry entry = entries.get(i);
            // Gaps end where a tensor begins; zero-byte tensors at a gap's start come before it.
            while (g < gaps.size() && gaps.get(g).offset() < entry.begin()) {
                writer.writeGap(gaps.get(g++));
            }
            writeTensor(writer, entry, manifest.tensors().get(i).id(), source);
        }
        while (g < gaps.size()) {
            writer.writeGap(gaps.get(g++));
        }
        writer.finish();
    }

    private static void writeTensor(SafetensorsWriter writer, TensorEntry entry, TensorId id, TensorSource source)
            throws IOException {
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
        try (InputStream in = raw) {
            VerifyingStream verified = new VerifyingStream(entry, id, where, in, !source.verifiesIds());
            writer.writeTensor(entry, verified);
            verified.check();
        }
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
