package io.thetahost.protocol.transfer;

import io.thetahost.protocol.pktline.MalformedPacketException;
import io.thetahost.protocol.pktline.Packet;
import io.thetahost.protocol.pktline.PacketReader;
import io.thetahost.protocol.pktline.PacketType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The packets of one request or response, with every framing problem turned into a
 * {@link TransferProtocolException} that says which message it was in and what was expected there. I/O errors of
 * the stream itself (a reset connection) pass through unchanged: they are not the peer's protocol errors.
 */
final class PacketInput {
    private final InputStream in;
    private final PacketReader reader;
    private final String message;

    /** @param message what the stream carries, for error messages: "request" or "response" */
    PacketInput(InputStream in, String message) {
        this.in = in;
        this.reader = new PacketReader(in);
        this.message = message;
    }

    /** The next packet, which must be there; {@code expected} names what should come, for the error message. */
    Packet next(String expected) throws IOException {
        Packet p;
        try {
            p = reader.read();
        } catch (MalformedPacketException e) {
            throw new TransferProtocolException("malformed pkt-line in the " + message + " where " + expected
                    + " was expected: " + e.getMessage(), e);
        }
        if (p == null) {
            throw new TransferProtocolException("the " + message + " ends where " + expected + " was expected");
        }
        if (p.type() == PacketType.RESPONSE_END) {
            throw new TransferProtocolException("unexpected response-end packet (0002) in the " + message + " where "
                    + expected + " was expected (theta transfer does not use it)");
        }
        return p;
    }

    /**
     * The text of a line packet without its newline. A line is a data packet ending in exactly one {@code \n}, in
     * UTF-8, with no control characters.
     */
    String line(Packet p, String expected) throws TransferProtocolException {
        if (!p.isData()) {
            throw new TransferProtocolException("expected " + expected + " in the " + message + ", got "
                    + Syntax.describe(p));
        }
        byte[] b = p.payload();
        if (b.length == 0) {
            throw new TransferProtocolException("an empty data packet (0004) in the " + message + " where " + expected
                    + " was expected");
        }
        if (b[b.length - 1] != '\n') {
            throw new TransferProtocolException("a line in the " + message + " does not end in a newline: "
                    + Syntax.describe(p) + " (where " + expected + " was expected)");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, 0, b.length - 1))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new TransferProtocolException("a line in the " + message + " is not valid UTF-8: "
                    + Syntax.describe(p));
        }
        for (int i = 0; i < text.length(); i++) {
            if (Syntax.isControl(text.charAt(i))) {
                throw new TransferProtocolException(String.format("control character U+%04X in a line of the %s: %s",
                        (int) text.charAt(i), message, Syntax.quote(text)));
            }
        }
        return text;
    }

    /** The next packet as a line. */
    String nextLine(String expected) throws IOException {
        return line(next(expected), expected);
    }

    /** Checks that the input ends here: nothing may follow a message's final flush. */
    void expectEnd() throws IOException {
        int b = in.read();
        if (b >= 0) {
            throw new TransferProtocolException(String.format(
                    "unexpected bytes after the final flush of the %s (first byte 0x%02x)", message, b));
        }
    }

    String message() {
        return message;
    }
}
