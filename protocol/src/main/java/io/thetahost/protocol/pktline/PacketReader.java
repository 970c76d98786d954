package io.thetahost.protocol.pktline;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads pkt-lines, validating each length before trusting it: four lowercase or uppercase hex digits, either a
 * special packet (0000, 0001, 0002) or a total of 4 (an empty data packet) to 65520 bytes. Nothing larger than one packet is ever allocated.
 */
public final class PacketReader {
    private final InputStream in;

    public PacketReader(InputStream in) {
        this.in = in;
    }

    /**
     * Reads one packet.
     *
     * @return null at a clean end of input (no partial header)
     * @throws MalformedPacketException for a bad length or a packet cut short, carrying the bytes consumed
     */
    public Packet read() throws IOException {
        byte[] header = new byte[4];
        int got = readUpTo(header, 0, 4);
        if (got == 0) {
            return null;
        }
        if (got < 4) {
            throw new MalformedPacketException("input ends inside a pkt-line length", Arrays.copyOf(header, got));
        }
        int length = parseLength(header);
        switch (length) {
            case 0:
                return Packet.FLUSH;
            case 1:
                return Packet.DELIM;
            case 2:
                return Packet.RESPONSE_END;
            default:
                break;
        }
        if (length < 4 || length - 4 > Packet.MAX_PAYLOAD) {
            throw new MalformedPacketException("invalid pkt-line length " + length + " ('"
                    + new String(header, StandardCharsets.US_ASCII) + "')", header);
        }
        byte[] payload = new byte[length - 4];
        int n = readUpTo(payload, 0, payload.length);
        if (n < payload.length) {
            byte[] consumed = new byte[4 + n];
            System.arraycopy(header, 0, consumed, 0, 4);
            System.arraycopy(payload, 0, consumed, 4, n);
            throw new MalformedPacketException(
                    "pkt-line cut short: " + n + " of " + payload.length + " payload bytes", consumed);
        }
        return Packet.data(payload);
    }

    /** Reads a packet that must be present. */
    public Packet require() throws IOException {
        Packet p = read();
        if (p == null) {
            throw new EOFException("input ended where a pkt-line was expected");
        }
        return p;
    }

    private static int parseLength(byte[] header) throws MalformedPacketException {
        int length = Packet.declaredLength(header);
        if (length < 0) {
            throw new MalformedPacketException("pkt-line length is not hexadecimal: '" + printable(header) + "'",
                    header);
        }
        return length;
    }

    private static String printable(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff));
        }
        return s.toString();
    }

    private int readUpTo(byte[] buf, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int n = in.read(buf, off + total, len - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
