package io.thetahost.protocol.pktline;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** One pkt-line: its type and, for data packets, its payload (without the four-byte length). */
public final class Packet {
    /** The largest payload a pkt-line may carry: 65520 bytes in all, minus the four-byte length. */
    public static final int MAX_PAYLOAD = 65516;

    public static final Packet FLUSH = new Packet(PacketType.FLUSH, new byte[0]);
    public static final Packet DELIM = new Packet(PacketType.DELIM, new byte[0]);
    public static final Packet RESPONSE_END = new Packet(PacketType.RESPONSE_END, new byte[0]);

    private final PacketType type;
    private final byte[] payload;

    private Packet(PacketType type, byte[] payload) {
        this.type = type;
        this.payload = payload;
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /**
     * Writes the four-byte header of a data packet carrying {@code payloadLength} bytes into {@code into} at
     * {@code at}: the one place a header is encoded. By hand, not with {@code String.format}, which parses its format
     * with a regular expression: at one call per packet of a checkpoint, compiling that took a checkout's JIT most of
     * a second of CPU.
     */
    public static void encodeLength(int payloadLength, byte[] into, int at) {
        if (payloadLength < 0 || payloadLength > MAX_PAYLOAD) {
            throw new IllegalArgumentException("a data packet of " + payloadLength + " bytes");
        }
        int total = payloadLength + 4;
        into[at] = HEX[(total >> 12) & 0xf];
        into[at + 1] = HEX[(total >> 8) & 0xf];
        into[at + 2] = HEX[(total >> 4) & 0xf];
        into[at + 3] = HEX[total & 0xf];
    }

    /**
     * The length a four-byte pkt-line header declares (the whole packet's, header included; 0 to 2 for the special
     * packets), or -1 when the header is not four hexadecimal digits. The one place the header is decoded.
     */
    public static int declaredLength(byte[] header) {
        if (header.length != 4) {
            return -1;
        }
        int v = 0;
        for (byte c : header) {
            int d = Character.digit(c, 16);
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }

    public static Packet data(byte[] payload) {
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException(
                    "pkt-line payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD);
        }
        return new Packet(PacketType.DATA, payload.clone());
    }

    /** A data packet of a payload its reader read (checked for length) and hands over. */
    static Packet owning(byte[] payload) {
        return new Packet(PacketType.DATA, payload);
    }

    public static Packet text(String line) {
        return data(line.getBytes(StandardCharsets.UTF_8));
    }

    public PacketType type() {
        return type;
    }

    public boolean isData() {
        return type == PacketType.DATA;
    }

    public byte[] payload() {
        return payload.clone();
    }

    public int payloadLength() {
        return payload.length;
    }

    /** The payload as text without one trailing newline, as git compares lines. */
    public String line() {
        int end = payload.length;
        if (end > 0 && payload[end - 1] == '\n') {
            end--;
        }
        return new String(payload, 0, end, StandardCharsets.UTF_8);
    }

    /** The packet as it travels: four hex digits of length, then the payload. */
    public byte[] encode() {
        switch (type) {
            case FLUSH:
                return "0000".getBytes(StandardCharsets.US_ASCII);
            case DELIM:
                return "0001".getBytes(StandardCharsets.US_ASCII);
            case RESPONSE_END:
                return "0002".getBytes(StandardCharsets.US_ASCII);
            default:
                byte[] out = new byte[4 + payload.length];
                encodeLength(payload.length, out, 0);
                System.arraycopy(payload, 0, out, 4, payload.length);
                return out;
        }
    }

    @Override
    public String toString() {
        return type == PacketType.DATA ? "data(" + line() + ")" : type.name().toLowerCase();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Packet && ((Packet) o).type == type && Arrays.equals(((Packet) o).payload, payload);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.hashCode(payload);
    }
}
