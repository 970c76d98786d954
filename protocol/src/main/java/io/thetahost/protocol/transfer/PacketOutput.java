package io.thetahost.protocol.transfer;

import io.thetahost.protocol.pktline.Packet;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes pkt-lines without copying payloads into packet objects: a body of gigabytes goes out in 65516-byte packets
 * straight from the caller's buffers.
 */
final class PacketOutput {
    private static final byte[] FLUSH = {'0', '0', '0', '0'};
    private static final byte[] DELIM = {'0', '0', '0', '1'};

    private final OutputStream out;
    private final byte[] header = new byte[4];

    PacketOutput(OutputStream out) {
        this.out = out;
    }

    /** One line: the text and a newline, which must fit one packet. */
    void line(String text) throws IOException {
        byte[] b = (text + "\n").getBytes(StandardCharsets.UTF_8);
        if (b.length > Packet.MAX_PAYLOAD) {
            throw new IllegalArgumentException("a line of " + b.length + " bytes does not fit a pkt-line");
        }
        data(b, 0, b.length);
    }

    /** One data packet of 1 to 65516 bytes. */
    void data(byte[] b, int off, int len) throws IOException {
        if (len < 1) {
            throw new IllegalArgumentException("a data packet of " + len + " bytes");
        }
        Packet.encodeLength(len, header, 0);
        out.write(header);
        out.write(b, off, len);
    }

    void flushPacket() throws IOException {
        out.write(FLUSH);
    }

    void delim() throws IOException {
        out.write(DELIM);
    }

    /** Pushes what was written towards the peer (progress should not wait in a buffer). */
    void flush() throws IOException {
        out.flush();
    }
}
