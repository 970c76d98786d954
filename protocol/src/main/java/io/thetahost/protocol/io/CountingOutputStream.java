package io.thetahost.protocol.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Counts the bytes written through it: request logs and "bytes on the wire" figures. */
public final class CountingOutputStream extends FilterOutputStream {
    private volatile long count;

    public CountingOutputStream(OutputStream out) {
        super(out);
    }

    public long count() {
        return count;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        count++;
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        out.write(buf, off, len);
        count += len;
    }
}
