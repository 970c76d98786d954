package io.thetahost.protocol.safetensors;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Reads a safetensors file from a stream in one pass: the header first (validated before any tensor byte is read),
 * then the data area in file order, each tensor as a bounded stream and each gap as its bytes. Memory is bounded by
 * the header and the gap limit; tensor bytes pass through and are never held whole.
 *
 * <pre>{@code
 * try (SafetensorsReader r = SafetensorsReader.open(path, SafetensorsLimits.defaults())) {
 *     for (DataItem item; (item = r.next()) != null; ) { ... }
 * }
 * }</pre>
 *
 * <p>{@link #next()} returns null only after checking that the file ends exactly where the header and the gap limit
 * allow. A tensor stream not read to its end when {@code next()} is called is skipped.
 */
public final class SafetensorsReader implements Closeable {
    private static final int LENGTH_FIELD = 8;
    private static final int FIRST_CHUNK = 64 * 1024;

    private final InputStream in;
    private final SafetensorsHeader header;
    private final List<Record> regions;
    private int nextRegion;
    private BoundedTensorStream current;
    private boolean finished;

    private SafetensorsReader(InputStream in, SafetensorsHeader header) {
        this.in = in;
        this.header = header;
        this.regions = header.regions();
    }

    /**
     * Reads and validates the length field and the header. The reader owns {@code in} from here on: closing the
     * reader closes it. If this throws, {@code in} is left open for the caller to close.
     *
     * @throws InvalidCheckpointException for a refused length or header, or a stream that ends inside either
     */
    public static SafetensorsReader open(InputStream in, SafetensorsLimits limits) throws IOException {
        Objects.requireNonNull(in, "in");
        long declared = readLength(in);
        int n = checkLength(declared, limits);
        byte[] headerBytes = readHeader(in, n);
        return new SafetensorsReader(in, SafetensorsHeader.parseOwned(headerBytes, limits));
    }

    /**
     * Opens a file whose size is known, so a truncated file, or one with more trailing bytes than the gap limit
     * allows, is refused before any tensor is read.
     */
    public static SafetensorsReader open(Path file, SafetensorsLimits limits) throws IOException {
        long size = Files.size(file);
        InputStream in = new BufferedInputStream(Files.newInputStream(file), FIRST_CHUNK);
        try {
            if (size < LENGTH_FIELD) {
                throw new InvalidCheckpointException("the file is " + size
                        + " bytes, shorter than the 8-byte header length that starts a safetensors file");
            }
            int n = checkLength(readLength(in), limits);
            if (n > size - LENGTH_FIELD) {
                throw new InvalidCheckpointException("header length " + n + " is longer than the rest of the file ("
                        + (size - LENGTH_FIELD) + " bytes)");
            }
            SafetensorsHeader header = SafetensorsHeader.parseOwned(readHeader(in, n), limits);
            header.checkDataArea(size - LENGTH_FIELD - n);
            return new SafetensorsReader(in, header);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    public SafetensorsHeader header() {
        return header;
    }

    /**
     * The next region of the data area: a {@link TensorData} or a {@link GapBytes}; null once the whole file has been
     * read and found to end where it should.
     *
     * @throws InvalidCheckpointException if the file ends early, or goes on past what the header and the gap limit
     *     account for
     */
    public DataItem next() throws IOException {
        if (current != null) {
            current.skipRest();
            current = null;
        }
        if (nextRegion < regions.size()) {
            Record region = regions.get(nextRegion++);
            if (region instanceof TensorEntry) {
                current = new BoundedTensorStream((TensorEntry) region);
                return new TensorData((TensorEntry) region, current);
            }
            Gap gap = (Gap) region;
            return new GapBytes(gap.offset(), readGap(gap));
        }
        if (finished) {
            return null;
        }
        finished = true;
        byte[] trailing = readTrailing();
        return trailing.length == 0 ? null : new GapBytes(header.dataLength(), trailing);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private static long readLength(InputStream in) throws IOException {
        byte[] b = in.readNBytes(LENGTH_FIELD);
        if (b.length < LENGTH_FIELD) {
            throw new InvalidCheckpointException("the file ends after " + b.length
                    + " bytes, inside the 8-byte header length that starts a safetensors file");
        }
        long v = 0;
        for (int i = LENGTH_FIELD - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }

    /** Checks the declared length (unsigned) against the limit before anything is allocated for it. */
    private static int checkLength(long declared, SafetensorsLimits limits) throws InvalidCheckpointException {
        if (Long.compareUnsigned(declared, limits.maxHeaderBytes()) > 0) {
            throw new InvalidCheckpointException("header length " + Long.toUnsignedString(declared)
                    + " exceeds the limit of " + limits.maxHeaderBytes() + " bytes");
        }
        if (declared < 2) {
            throw new InvalidCheckpointException("header length " + declared
                    + " is too small (the smallest header, {}, is 2 bytes)");
        }
        return (int) declared;
    }

    /** Grows the buffer as bytes arrive, so a short stream that declares a long header costs what it sent. */
    private static byte[] readHeader(InputStream in, int n) throws IOException {
        byte[] buf = new byte[Math.min(n, FIRST_CHUNK)];
        int filled = 0;
        while (filled < n) {
            if (filled == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
            }
            int r = in.read(buf, filled, buf.length - filled);
            if (r < 0) {
                throw new InvalidCheckpointException("the file ends inside the header, after " + filled + " of its "
                        + n + " bytes");
            }
            filled += r;
        }
        return buf;
    }

    private byte[] readGap(Gap gap) throws IOException {
        byte[] bytes = in.readNBytes((int) gap.length()); // within the gap limit, an int
        if (bytes.length < gap.length()) {
            throw new InvalidCheckpointException("the file ends inside the gap at data offset " + gap.offset()
                    + ", after " + bytes.length + " of its " + gap.length() + " bytes");
        }
        return bytes;
    }

    /** Whatever follows the last tensor, read up to one byte past what the gap limit allows. */
    private byte[] readTrailing() throws IOException {
        long allowance = header.trailingAllowance();
        byte[] bytes = in.readNBytes((int) Math.min(allowance + 1, Integer.MAX_VALUE - 16));
        if (bytes.length > allowance) {
            throw new InvalidCheckpointException(header.trailingRefusal("more than " + allowance));
        }
        return bytes;
    }

    /** One tensor's bytes: exactly its size, then the end; the checkpoint ending first is an error. */
    private final class BoundedTensorStream extends InputStream {
        private final TensorEntry entry;
        private long remaining;

        BoundedTensorStream(TensorEntry entry) {
            this.entry = entry;
            this.remaining = entry.size();
        }

        @Override
        public int read() throws IOException {
            checkCurrent();
            if (remaining == 0) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw truncated();
            }
            remaining--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            checkCurrent();
            if (len == 0) {
                return 0;
            }
            if (remaining == 0) {
                return -1;
            }
            int r = in.read(b, off, (int) Math.min(len, remaining));
            if (r < 0) {
                throw truncated();
            }
            remaining -= r;
            return r;
        }

        @Override
        public int available() throws IOException {
            checkCurrent();
            return (int) Math.min(in.available(), remaining);
        }

        /** Does not close the checkpoint: the reader goes on with the next region. */
        @Override
        public void close() {
        }

        void skipRest() throws IOException {
            byte[] scratch = new byte[(int) Math.min(remaining, 64 * 1024)];
            while (remaining > 0) {
                int r = in.read(scratch, 0, (int) Math.min(scratch.length, remaining));
                if (r < 0) {
                    throw truncated();
                }
                remaining -= r;
            }
        }

        private void checkCurrent() throws IOException {
            if (current != this) {
                throw new IOException("tensor " + Quoting.quote(entry.name())
                        + ": its stream was left behind when the reader moved on");
            }
        }

        private InvalidCheckpointException truncated() {
            return new InvalidCheckpointException("tensor " + Quoting.quote(entry.name()) + ": the file ends inside "
                    + "its data (data_offsets " + entry.offsetsText() + "), after " + (entry.size() - remaining)
                    + " of its " + entry.size() + " bytes");
        }
    }
}
