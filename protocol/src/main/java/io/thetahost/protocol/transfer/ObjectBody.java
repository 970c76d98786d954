package io.thetahost.protocol.transfer;

import io.thetahost.protocol.pktline.Packet;
import io.thetahost.protocol.pktline.PacketType;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;

/**
 * The body of one object: exactly its declared number of bytes, read from the data packets that carry them, and
 * then end of stream. It never reads a packet past the object's end, and fails with a
 * {@link TransferProtocolException} (at the read that meets it) when a packet crosses the end, a flush or delim
 * comes before it, or the input ends early. Memory is one packet, whatever the length.
 *
 * <p>{@link #close()} does not close the underlying stream, nor skip: the reader that handed this out skips whatever
 * is left unread when it is asked for the next item.
 */
public final class ObjectBody extends InputStream {
    private static final byte[] NONE = new byte[0];

    private final PacketInput input;
    private final TensorId id;
    private final long length;
    private final boolean abortable;
    private byte[] packet = NONE;
    private int pos;
    private long received;
    private TransferProtocolException failure;
    private String abortMessage;

    /** @param abortable whether a delim may end the body early with the sender's error (responses only) */
    ObjectBody(PacketInput input, TensorId id, long length, boolean abortable) {
        this.input = input;
        this.id = id;
        this.length = length;
        this.abortable = abortable;
    }

    public TensorId id() {
        return id;
    }

    /** The declared length of the body in bytes. */
    public long length() {
        return length;
    }

    /** Bytes of the body not yet read. */
    public long remaining() {
        return length - received + (packet.length - pos);
    }

    @Override
    public int read() throws IOException {
        if (pos < packet.length) {
            return packet[pos++] & 0xff;
        }
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (pos == packet.length) {
            if (received == length) {
                return -1;
            }
            fill();
        }
        int n = Math.min(len, packet.length - pos);
        System.arraycopy(packet, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return packet.length - pos;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
            if (pos == packet.length) {
                if (received == length) {
                    break;
                }
                fill();
            }
            int step = (int) Math.min(n - skipped, packet.length - pos);
            pos += step;
            skipped += step;
        }
        return skipped;
    }

    /** Reads and discards the rest of the body, checking its framing as reading would. */
    public void skipRest() throws IOException {
        skip(Long.MAX_VALUE);
    }

    @Override
    public void close() {
        // The body does not own the stream; the reader skips what is left when it moves on.
    }

    /** The sender's error message when it aborted this body, else null. */
    String abortMessage() {
        return abortMessage;
    }

    private void fill() throws IOException {
        if (failure != null) {
            throw new TransferProtocolException(failure.getMessage(), failure);
        }
        try {
            Packet p = input.next("the rest of object " + id + " (" + received + " of " + length
                    + " bytes received)");
            if (p.type() == PacketType.DELIM && abortable) {
                abort();
            }
            if (!p.isData()) {
                throw new TransferProtocolException(Syntax.describe(p) + " inside the body of object " + id
                        + " after " + received + " of its " + length + " bytes (the body is shorter than declared)");
            }
            int n = p.payloadLength();
            if (n == 0) {
                throw new TransferProtocolException("an empty data packet inside the body of object " + id);
            }
            if (n > length - received) {
                throw new TransferProtocolException("packet crosses the end of object " + id + " (a packet of " + n
                        + " bytes where " + (length - received) + " of its " + length + " bytes were left)");
            }
            packet = p.payload();
            pos = 0;
            received += n;
        } catch (TransferProtocolException e) {
            failure = e;
            throw e;
        }
    }

    /** A delim inside a response body: the server gave up on the object and says why in an error line. */
    private void abort() throws IOException {
        String expected = "the error line after the delim that aborts object " + id;
        String line = input.nextLine(expected);
        if (!line.startsWith("error ")) {
            throw new TransferProtocolException("expected " + expected + ", got " + Syntax.quote(line));
        }
        Packet end = input.next("the flush after the error line");
        if (end.type() != PacketType.FLUSH) {
            throw new TransferProtocolException("expected the flush after the error line, got "
                    + Syntax.describe(end));
        }
        input.expectEnd();
        abortMessage = line.substring("error ".length());
        throw new TransferProtocolException("the server aborted object " + id + " after " + received + " of "
                + length + " bytes: " + abortMessage);
    }
}
