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
    private static final int END = -1;
    /** The special packets, by their declared length (0, 1, 2). */
    private static final Packet[] SPECIAL = {Packet.FLUSH, Packet.DELIM, Packet.RESPONSE_END};

    private final InputStream in;
    private final byte[] header = new byte[4];
    private int payloadLength;

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
        int length = nextLength();
        if (length == END) {
            return null;
        }
        if (length < SPECIAL.length) {
            return SPECIAL[length];
        }
        byte[] payload = new byte[length - 4];
        readPayload(payload, payload.length);
        return Packet.owning(payload);
    }

    /**
     * Reads one packet as {@link #read()} does, a data packet's payload into {@code payload} (at least
     * {@link Packet#MAX_PAYLOAD} long) rather than a new array: a file's content streams through one buffer.
     *
     * @return the packet's type, its payload's length in {@link #payloadLength()}; null at a clean end of input
     */
    public PacketType readInto(byte[] payload) throws IOException {
        if (payload.length < Packet.MAX_PAYLOAD) {
            throw new IllegalArgumentException("a buffer of " + payload.length + " bytes cannot hold every pkt-line");
        }
        int length = nextLength();
        payloadLength = 0;
        if (length == END) {
            return null;
        }
        if (length < SPECIAL.length) {
            return SPECIAL[length].type();
        }
        readPayload(payload, length - 4);
        payloadLength = length - 4;
        return PacketType.DATA;
    }

    /** The payload's length of the last packet {@link #readInto} read (0 unless a data packet). */
    public int payloadLength() {
        return payloadLength;
    }

    /** The next packet's declared length, checked: 0 to 2 for the special packets, else 4 to 65520; END at the end. */
    private int nextLength() throws IOException {
        int got = readUpTo(header, 0, 4);
        if (got == 0) {
            return END;
        }
        if (got < 4) {
            throw new MalformedPacketException("input ends inside a pkt-line length", Arrays.copyOf(header, got));
        }
        int length = parseLength(header);
        if (length >= SPECIAL.length && (length < 4 || length - 4 > Packet.MAX_PAYLOAD)) {
            throw new MalformedPacketException("invalid pkt-line length " + length + " ('"
                    + new String(header, StandardCharsets.US_ASCII) + "')", header.clone());
        }
        return length;
    }

    private void readPayload(byte[] payload, int length) throws IOException {
        int n = readUpTo(payload, 0, length);
        if (n < length) {
            byte[] consumed = new byte[4 + n];
            System.arraycopy(header, 0, consumed, 0, 4);
            System.arraycopy(payload, 0, consumed, 4, n);
            throw new MalformedPacketException("pkt-line cut short: " + n + " of " + length + " payload bytes",
                    consumed);
        }
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
