package io.thetahost.protocol.transfer;

import io.thetahost.protocol.pktline.Packet;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Frames an object's bytes into data packets of up to 65516 bytes and holds the writer to the declared length: a
 * byte past it, or a close before it, is a {@link TransferProtocolException}. The last packet goes out as soon as the
 * last byte is written. Closing does not close the underlying stream.
 */
final class ObjectOutput extends OutputStream {
    private final PacketOutput out;
    private final TensorId id;
    private final long length;
    private final byte[] buffer;
    private int buffered;
    private long written;

    ObjectOutput(PacketOutput out, TensorId id, long length) {
        this.out = out;
        this.id = id;
        this.length = length;
        this.buffer = new byte[(int) Math.min(length, Packet.MAX_PAYLOAD)];
    }

    boolean complete() {
        return written == length;
    }

    long written() {
        return written;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len > length - written) {
            throw new TransferProtocolException("writing " + len + " bytes to object " + id + " after " + written
                    + " would pass its declared length of " + length + " bytes");
        }
        written += len;
        while (len > 0) {
            if (buffered == 0 && len >= Packet.MAX_PAYLOAD) {
                // Whole packets go straight from the caller's array.
                out.data(b, off, Packet.MAX_PAYLOAD);
                off += Packet.MAX_PAYLOAD;
                len -= Packet.MAX_PAYLOAD;
                continue;
            }
            int n = Math.min(len, buffer.length - buffered);
            System.arraycopy(b, off, buffer, buffered, n);
            buffered += n;
            off += n;
            len -= n;
            if (buffered == buffer.length) {
                drain();
            }
        }
        if (written == length) {
            drain();
        }
    }

    /** Checks the object is whole; the bytes are already on their way. */
    @Override
    public void close() throws IOException {
        requireComplete();
    }

    void requireComplete() throws TransferProtocolException {
        if (written != length) {
            throw new TransferProtocolException("object " + id + " ended after " + written + " of its declared "
                    + length + " bytes");
        }
    }

    /** Sends the bytes buffered so far as a packet. */
    void drain() throws IOException {
        if (buffered > 0) {
            out.data(buffer, 0, buffered);
            buffered = 0;
        }
    }
}
