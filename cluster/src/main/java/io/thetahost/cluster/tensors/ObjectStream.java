package io.thetahost.cluster.tensors;

import io.thetahost.cluster.objects.ObjectStore;
import io.thetahost.objectdb.store.CorruptStoreException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * An object's first {@code length} bytes, read as a series of ranged GETs of {@link #WINDOW} bytes: a reader that
 * stops for a while (a checkout writing files) holds no connection open for long, and memory is what the HTTP
 * client buffers for one response. Fails rather than end early when the object is shorter than its row says, or
 * missing.
 */
final class ObjectStream extends InputStream {
    static final long WINDOW = 8 << 20;

    private final ObjectStore objects;
    private final String key;
    private final long length;
    private final String what;
    private InputStream window;
    private long windowEnd;
    private long position;
    private boolean closed;

    /** @param what the tensor the object holds, for messages */
    ObjectStream(ObjectStore objects, String key, long length, String what) {
        this.objects = objects;
        this.key = key;
        this.length = length;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("the stream of object " + key + " is closed");
        }
        if (len == 0) {
            return 0;
        }
        if (position == length) {
            return -1;
        }
        if (window == null) {
            windowEnd = Math.min(length, position + WINDOW);
            try {
                window = objects.get(key, position, windowEnd);
            } catch (FileNotFoundException e) {
                throw new CorruptStoreException("the object " + key + " of " + what + " is missing from the object "
                        + "store");
            }
        }
        int n = window.read(b, off, (int) Math.min(len, windowEnd - position));
        if (n < 0) {
            throw new CorruptStoreException("the object " + key + " of " + what + " ends after " + position
                    + " bytes, but its row says " + length);
        }
        position += n;
        if (position == windowEnd) {
            window.close();
            window = null;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (window != null) {
            // Closing the SDK's stream early aborts the connection rather than draining the rest of the window.
            window.close();
            window = null;
        }
    }
}
