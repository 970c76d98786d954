package io.thetahost.protocol.safetensors;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;

/**
 * Writes a safetensors file from a header, verbatim, and the data area in file order: the caller hands over each
 * tensor and each gap in the order of {@link SafetensorsHeader#tensors()} and {@link SafetensorsHeader#gaps()} merged
 * by offset (the order a {@link SafetensorsReader} yields them), then at most one gap of bytes after the last tensor,
 * then calls {@link #finish()}. Each tensor must bring exactly its declared number of bytes.
 *
 * <p>Bytes reach the stream as they are written: a caller that must not leave a half-written file writes to a
 * temporary file and renames it once {@link #finish()} returns.
 */
public final class SafetensorsWriter {
    private static final int COPY_BUFFER = 64 * 1024;

    private final OutputStream out;
    private final SafetensorsHeader header;
    private final List<Record> regions;
    private int next;
    private boolean started;
    private boolean trailingWritten;
    private boolean finished;

    public SafetensorsWriter(OutputStream out, SafetensorsHeader header) {
        this.out = Objects.requireNonNull(out, "out");
        this.header = Objects.requireNonNull(header, "header");
        this.regions = header.regions();
    }

    /**
     * Writes the next tensor, copying exactly {@code entry.size()} bytes from {@code bytes} (which is not closed).
     *
     * @throws InvalidCheckpointException if {@code bytes} ends early or holds more than the tensor's size
     * @throws IllegalStateException if {@code entry} is not the next region of the file
     */
    public void writeTensor(TensorEntry entry, InputStream bytes) throws IOException {
        expectNext(entry, "tensor " + Quoting.quote(entry.name()));
        start();
        byte[] buffer = new byte[(int) Math.min(COPY_BUFFER, Math.max(1, entry.size()))];
        long remaining = entry.size();
        while (remaining > 0) {
            int r = bytes.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (r < 0) {
                throw new InvalidCheckpointException("tensor " + Quoting.quote(entry.name()) + ": the data ends after "
                        + (entry.size() - remaining) + " of its " + entry.size() + " bytes");
            }
            out.write(buffer, 0, r);
            remaining -= r;
        }
        if (bytes.read() >= 0) {
            throw new InvalidCheckpointException("tensor " + Quoting.quote(entry.name())
                    + ": the data holds more than its " + entry.size() + " bytes");
        }
        next++;
    }

    /** Writes the next tensor from memory. */
    public void writeTensor(TensorEntry entry, byte[] bytes) throws IOException {
        writeTensor(entry, new ByteArrayInputStream(bytes));
    }

    /**
     * Writes the next gap: one of the header's gaps, in order, or after the last tensor the bytes that follow it
     * (within the gap limit).
     *
     * @throws IllegalStateException if the gap is not the next region of the file
     */
    public void writeGap(GapBytes gap) throws IOException {
        if (next < regions.size()) {
            expectNext(gap.region(), "the gap at data offset " + gap.offset());
        } else if (trailingWritten || gap.offset() != header.dataLength()
                || gap.length() > header.trailingAllowance()) {
            throw new IllegalStateException("a gap of " + gap.length() + " bytes at data offset " + gap.offset()
                    + " is not part of this file (the tensors end at " + header.dataLength() + ")");
        }
        start();
        out.write(gap.bytes());
        if (next < regions.size()) {
            next++;
        } else {
            trailingWritten = true;
        }
    }

    /**
     * Checks that every tensor and gap was written and flushes the stream (which is not closed).
     *
     * @throws IllegalStateException if a tensor or gap is missing
     */
    public void finish() throws IOException {
        if (next < regions.size()) {
            throw new IllegalStateException(describe(regions.get(next)) + " was not written");
        }
        start();
        finished = true;
        out.flush();
    }

    private void start() throws IOException {
        if (finished) {
            throw new IllegalStateException("the file is already finished");
        }
        if (started) {
            return;
        }
        started = true;
        out.write(header.fileStart());
    }

    private void expectNext(Record region, String what) {
        if (next >= regions.size() || !regions.get(next).equals(region)) {
            throw new IllegalStateException(what + " is not the next region of the file; expected "
                    + (next < regions.size() ? describe(regions.get(next)) : "the end of the tensors"));
        }
    }

    private static String describe(Record region) {
        if (region instanceof TensorEntry) {
            return "tensor " + Quoting.quote(((TensorEntry) region).name());
        }
        Gap g = (Gap) region;
        return "the gap of " + g.length() + " bytes at data offset " + g.offset();
    }
}
