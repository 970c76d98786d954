package io.thetahost.codec.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Fixed-width little-endian integers on streams. */
final class LittleEndian {
    private LittleEndian() {
    }

    static void write(OutputStream out, long v, int bytes) throws IOException {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (v >>> (8 * i)));
        }
    }

    static long read(InputStream in, int bytes, String what) throws IOException {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            int b = in.read();
            if (b < 0) {
                throw new InvalidEncodingException("encoding ends inside " + what);
            }
            v |= (long) b << (8 * i);
        }
        return v;
    }

    /**
     * Reads straight into one array of {@code length} bytes, which the caller has checked against its limits
     * ({@link InputStream#readNBytes(int)} would gather it in 8 KiB pieces and copy them).
     */
    static byte[] readFully(InputStream in, int length, String what) throws IOException {
        byte[] b = new byte[length];
        readFully(in, b, length, what);
        return b;
    }

    /** Fills the first {@code length} bytes of {@code into}. */
    static void readFully(InputStream in, byte[] into, int length, String what) throws IOException {
        int n = in.readNBytes(into, 0, length);
        if (n != length) {
            throw new InvalidEncodingException("encoding ends inside " + what + " (" + n + " of " + length + " bytes)");
        }
    }
}
