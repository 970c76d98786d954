package io.thetahost.http.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Fails once more than a set number of bytes has been read: the guard against decompression bombs. */
public final class BoundedInputStream extends FilterInputStream {
    private final long limit;
    private final String what;
    private long count;

    public BoundedInputStream(InputStream in, long limit, String what) {
        super(in);
        this.limit = limit;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            account(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, (int) Math.min(len, limit - count + 1));
        if (n > 0) {
            account(n);
        }
        return n;
    }

    private void account(int n) throws IOException {
        count += n;
        if (count > limit) {
            throw new IOException(what + " is larger than " + limit + " bytes");
        }
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
