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

    static byte[] readFully(InputStream in, int length, String what) throws IOException {
        byte[] b = in.readNBytes(length);
        if (b.length != length) {
            throw new InvalidEncodingException(
                    "encoding ends inside " + what + " (" + b.length + " of " + length + " bytes)");
        }
        return b;
    }
}
