package io.thetahost.client.filter;

import io.thetahost.protocol.pktline.Packet;
import io.thetahost.protocol.pktline.PacketReader;
import io.thetahost.protocol.pktline.PacketType;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The pkt-line channel between git and a long-running filter process (gitattributes(5), "Long Running Filter
 * Process"): lists of text lines ended by a flush, and contents as data packets ended by a flush.
 */
final class PacketChannel {
    private final PacketReader reader;
    private final WritableByteChannel sink;
    private final OutputStream out;
    /** A content's packet being filled: its header's four bytes, then up to the largest payload. */
    private final ByteBuffer packet = ByteBuffer.allocateDirect(4 + Packet.MAX_PAYLOAD);

    /**
     * @param sink where everything written goes: lists through a buffer, contents packet by packet from a direct
     *     buffer, which the channel writes without another copy (through an OutputStream a checkpoint's bytes were
     *     copied three times more: into the packet, into a stream's buffer, and into the native buffer
     *     FileOutputStream writes from)
     */
    PacketChannel(InputStream in, WritableByteChannel sink) {
        this.reader = new PacketReader(in);
        this.sink = sink;
        this.out = new BufferedOutputStream(Channels.newOutputStream(sink), 1 << 12);
    }

    /** The text lines up to the next flush; null if git closed the channel before a new list. */
    List<String> readList() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            Packet p = lines.isEmpty() ? reader.read() : reader.require();
            if (p == null) {
                return null;
            }
            if (p.type() == PacketType.FLUSH) {
                return lines;
            }
            if (!p.isData()) {
                throw new IOException("git sent a " + p.type() + " packet where a text line was expected");
            }
            lines.add(p.line());
        }
    }

    void writeList(String... lines) throws IOException {
        for (String line : lines) {
            out.write(Packet.text(line + "\n").encode());
        }
        out.write(Packet.FLUSH.encode());
        out.flush();
    }

    /** The content git sends next: data packets up to a flush. Read it to its end before answering. */
    InputStream content() {
        return new InputStream() {
            private final byte[] packet = new byte[Packet.MAX_PAYLOAD];
            private int end;
            private int at;
            private boolean ended;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (at == end) {
                    if (ended) {
                        return -1;
                    }
                    PacketType type = reader.readInto(packet);
                    if (type == null) {
                        throw new EOFException("git closed the channel in the middle of a file's content");
                    }
                    if (type == PacketType.FLUSH) {
                        ended = true;
                        return -1;
                    }
                    if (type != PacketType.DATA) {
                        throw new IOException("git sent a " + type + " packet inside a file's content");
                    }
                    end = reader.payloadLength();
                    at = 0;
                }
                int n = Math.min(len, end - at);
                System.arraycopy(packet, at, b, off, n);
                at += n;
                return n;
            }

            @Override
            public void close() throws IOException {
                // What the filter did not need is still git's message to the end: read it so the next one starts
                // at a list.
                skip(Long.MAX_VALUE);
                while (read() >= 0) {
                    // drained
                }
            }
        };
    }

    /**
     * The content the filter answers with: data packets of at most the largest payload. Close ends it (flush). One
     * content at a time: they share the channel's packet.
     */
    OutputStream contentOut() throws IOException {
        // Lists are flushed as they are written; what precedes the content is on its way before the first packet.
        out.flush();
        packet.clear().position(4);
        return new OutputStream() {
            private final byte[] header = new byte[4];

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    int n = Math.min(len, packet.remaining());
                    packet.put(b, off, n);
                    off += n;
                    len -= n;
                    if (!packet.hasRemaining()) {
                        emit();
                    }
                }
            }

            private void emit() throws IOException {
                int used = packet.position() - 4;
                if (used > 0) {
                    Packet.encodeLength(used, header, 0);
                    packet.put(0, header).flip();
                    while (packet.hasRemaining()) {
                        sink.write(packet);
                    }
                    packet.clear().position(4);
                }
            }

            @Override
            public void close() throws IOException {
                emit();
                out.write(Packet.FLUSH.encode());
                out.flush();
            }
        };
    }
}
