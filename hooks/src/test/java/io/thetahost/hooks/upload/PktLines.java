package io.thetahost.hooks.upload;

import io.thetahost.protocol.pktline.Packet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Builds pkt-line byte streams for tests: text lines get a trailing newline, "0000" and "0001" stay special. */
final class PktLines {
    private PktLines() {
    }

    static byte[] of(String... lines) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String line : lines) {
            switch (line) {
                case "0000":
                    b.writeBytes(Packet.FLUSH.encode());
                    break;
                case "0001":
                    b.writeBytes(Packet.DELIM.encode());
                    break;
                default:
                    b.writeBytes(Packet.text(line + "\n").encode());
                    break;
            }
        }
        return b.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Writes {@code bytes} to {@code out} in pieces of the given sizes, repeated until all are written. */
    static void writeInChunks(OutputStream out, byte[] bytes, int... sizes) throws IOException {
        int off = 0;
        for (int i = 0; off < bytes.length; i++) {
            int n = Math.min(sizes[i % sizes.length], bytes.length - off);
            if (n == 1) {
                out.write(bytes[off]);
            } else {
                out.write(bytes, off, n);
            }
            off += n;
        }
    }
}
