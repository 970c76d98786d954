package io.thetahost.protocol.transfer;

import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds raw pkt-line input by hand, for tests that need exactly the bytes a hostile peer would send. */
final class Wire {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A line packet: the text and a newline. */
    Wire line(String text) {
        return data((text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** One data packet with the given payload. */
    Wire data(byte[] payload) {
        out.writeBytes(String.format("%04x", payload.length + 4).getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        return this;
    }

    /** A body of {@code length} bytes of {@link #fill(long)} content in packets of up to {@code packet} bytes. */
    Wire body(long length, int packet) {
        byte[] all = fill(length);
        for (int off = 0; off < all.length; off += packet) {
            data(Arrays.copyOfRange(all, off, Math.min(all.length, off + packet)));
        }
        return this;
    }

    Wire flush() {
        return raw("0000");
    }

    Wire delim() {
        return raw("0001");
    }

    Wire raw(String text) {
        out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    Wire raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    ByteArrayInputStream input() {
        return new ByteArrayInputStream(bytes());
    }

    /** A request's opening: version, command and delim. */
    static Wire request(String command) {
        return new Wire().line(TransferProtocol.VERSION_LINE).line("command=" + command).delim();
    }

    /** A distinct, valid id per number. */
    static TensorId id(int n) {
        byte[] digest = new byte[32];
        Arrays.fill(digest, (byte) (n * 37 + 11));
        digest[0] = (byte) (n >> 8);
        digest[31] = (byte) n;
        return TensorId.ofDigest(digest);
    }

    /** Deterministic content for a body of {@code length} bytes; the same length always gives the same bytes. */
    static byte[] fill(long length) {
        byte[] b = new byte[Math.toIntExact(length)];
        long x = length * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < b.length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[i] = (byte) x;
        }
        return b;
    }
}
