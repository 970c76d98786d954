package io.thetahost.cluster.tensors;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Passes an upload's bytes to the decoder and copies them, as they pass, to the spool file that is uploaded once
 * they are verified, so the upload is read once. {@link #stop()} ends the copying (the tensor turned out to be stored
 * already, or to need re-encoding). Closing it closes neither stream: the upload's belongs to the caller of put.
 */
final class SpoolingInputStream extends InputStream {
    private final InputStream in;
    private OutputStream copy;
    private long copied;

    SpoolingInputStream(InputStream in, OutputStream copy) {
        this.in = in;
        this.copy = copy;
    }

    void stop() {
        copy = null;
    }

    /** Bytes copied so far. */
    long copied() {
        return copied;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        int n = in.read(b, off, len);
        if (n > 0 && copy != null) {
            copy.write(b, off, n);
            copied += n;
        }
        return n;
    }

    /** Skipped bytes must be copied too, so skipping reads. */
    @Override
    public long skip(long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    @Override
    public void close() {
        copy = null;
    }
}
