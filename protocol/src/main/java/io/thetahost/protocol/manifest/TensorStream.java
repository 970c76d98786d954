package io.thetahost.protocol.manifest;

import io.thetahost.protocol.safetensors.Quoting;
import io.thetahost.protocol.safetensors.TensorEntry;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * One tensor's bytes as a checkpoint is split, hashed as they are read: {@link #id()} is known once the last byte
 * has been read. Closing it does not close the checkpoint.
 */
public final class TensorStream extends InputStream {
    /** What to throw when the input ends before the tensor does, given how many bytes it gave. */
    interface EndedEarly {
        IOException after(long bytesRead);
    }

    private final TensorEntry entry;
    private final InputStream in;
    private final EndedEarly endedEarly;
    private final TensorId.Hasher hasher;
    private long remaining;
    private TensorId id;

    TensorStream(TensorEntry entry, InputStream in) {
        // The reader's stream fails first when a checkpoint file is cut short; this is a backstop.
        this(entry, in, read -> new IOException("tensor " + Quoting.quote(entry.name()) + ": the data ended early"));
    }

    TensorStream(TensorEntry entry, InputStream in, EndedEarly endedEarly) {
        this(entry, in, endedEarly, true);
    }

    /** @param hashing false to count the bytes only ({@link #id()} is then not available) */
    TensorStream(TensorEntry entry, InputStream in, EndedEarly endedEarly, boolean hashing) {
        this.entry = entry;
        this.in = in;
        this.endedEarly = endedEarly;
        this.hasher = hashing ? TensorId.hasher(entry.dtype(), entry.shape()) : null;
        this.remaining = entry.size();
    }

    public TensorEntry entry() {
        return entry;
    }

    /** Whether every byte of the tensor has been read. */
    public boolean isComplete() {
        return remaining == 0;
    }

    /**
     * The id of the tensor's value.
     *
     * @throws IllegalStateException if bytes are still unread
     */
    public TensorId id() {
        if (remaining > 0) {
            throw new IllegalStateException("tensor " + Quoting.quote(entry.name()) + ": its id is known after all "
                    + entry.size() + " bytes are read, " + remaining + " are left");
        }
        if (hasher == null) {
            throw new IllegalStateException("tensor " + Quoting.quote(entry.name()) + ": counted, not hashed");
        }
        if (id == null) {
            id = hasher.finish();
        }
        return id;
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
        if (remaining == 0) {
            return -1;
        }
        int r = in.read(b, off, (int) Math.min(len, remaining));
        if (r < 0) {
            throw endedEarly.after(entry.size() - remaining);
        }
        if (hasher != null) {
            hasher.update(b, off, r);
        }
        remaining -= r;
        return r;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), remaining);
    }

    @Override
    public void close() {
    }

    /** Reads and hashes whatever the sink left, and returns the id. */
    TensorId finish() throws IOException {
        byte[] scratch = new byte[(int) Math.min(remaining, 64 * 1024)];
        while (remaining > 0) {
            read(scratch, 0, scratch.length);
        }
        return id();
    }
}
