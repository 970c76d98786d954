package io.thetahost.hooks.upload;

import io.thetahost.protocol.pktline.Packet;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Adds the shallow-fetch capabilities JGit handles but does not advertise in protocol v0 ({@code deepen-since},
 * {@code deepen-not}, and {@code deepen-relative}, which {@link FetchRequestStream} supplies), so that
 * {@code git clone --shallow-since}, {@code --shallow-exclude} and {@code git fetch --deepen} work over v0 as they do
 * over v2. It rewrites the first advertised ref line (the one carrying the capability list after a NUL) and passes
 * every other byte through untouched.
 */
public final class ShallowCapabilities extends FilterOutputStream {
    static final String ADDED = " deepen-since deepen-not deepen-relative";

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean done;
    private int expected = -1;

    public ShallowCapabilities(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0 && !done) {
            int want = expected < 0 ? 4 - pending.size() : expected - pending.size();
            int take = Math.min(want, len);
            pending.write(b, off, take);
            off += take;
            len -= take;
            if (expected < 0 && pending.size() == 4) {
                expected = Packet.declaredLength(pending.toByteArray());
                if (expected < 0) {
                    release(pending.toByteArray());
                    done = true;
                    break;
                }
                if (expected <= 4) {
                    // A special packet, such as the flush after "# service=...": not the line we look for.
                    release(pending.toByteArray());
                    reset();
                }
            } else if (expected > 0 && pending.size() == expected) {
                byte[] packet = pending.toByteArray();
                reset();
                int nul = indexOf(packet, (byte) 0);
                if (nul < 0) {
                    release(packet);
                } else {
                    release(withCapabilities(packet));
                    done = true;
                }
            }
        }
        if (len > 0) {
            out.write(b, off, len);
        }
    }

    private void reset() {
        pending.reset();
        expected = -1;
    }

    private void release(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    private static byte[] withCapabilities(byte[] packet) {
        int end = packet.length;
        boolean newline = packet[end - 1] == '\n';
        int payloadEnd = newline ? end - 1 : end;
        byte[] added = ADDED.getBytes(StandardCharsets.US_ASCII);
        int payloadLength = packet.length - 4 + added.length;
        if (payloadLength > Packet.MAX_PAYLOAD) {
            return packet;
        }
        byte[] payload = new byte[payloadLength];
        System.arraycopy(packet, 4, payload, 0, payloadEnd - 4);
        System.arraycopy(added, 0, payload, payloadEnd - 4, added.length);
        if (newline) {
            payload[payload.length - 1] = '\n';
        }
        return Packet.data(payload).encode();
    }

    private static int indexOf(byte[] a, byte x) {
        for (int i = 4; i < a.length; i++) {
            if (a[i] == x) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (!done && pending.size() > 0) {
            release(pending.toByteArray());
        }
        super.close();
    }
}
