package io.thetahost.protocol.pktline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketReaderTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static PacketReader reader(String s) {
        return new PacketReader(new ByteArrayInputStream(bytes(s)));
    }

    private static MalformedPacketException malformed(String input) {
        return assertThrows(MalformedPacketException.class, () -> {
            PacketReader r = reader(input);
            while (r.read() != null) {
                // read until the problem
            }
        });
    }

    /** Hands out at most one byte per read call, as a slow network might. */
    private static InputStream trickle(byte[] data) {
        return new InputStream() {
            private int pos;

            @Override
            public int read() {
                return pos < data.length ? data[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= data.length) {
                    return -1;
                }
                if (len == 0) {
                    return 0;
                }
                b[off] = data[pos++];
                return 1;
            }
        };
    }

    @Test
    void dataPacketsRoundTripThroughEncode() throws IOException {
        List<Packet> sent = List.of(Packet.text("want 1234\n"), Packet.text("no newline"),
                Packet.data(new byte[] {0, 1, 2, (byte) 0xff}), Packet.data(new byte[Packet.MAX_PAYLOAD]),
                Packet.FLUSH, Packet.text("done\n"));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        sent.forEach(p -> wire.writeBytes(p.encode()));

        PacketReader r = new PacketReader(new ByteArrayInputStream(wire.toByteArray()));
        List<Packet> received = new ArrayList<>();
        for (Packet p = r.read(); p != null; p = r.read()) {
            received.add(p);
        }
        assertEquals(sent, received);
    }

    @Test
    void readsPacketsDeliveredOneByteAtATime() throws IOException {
        PacketReader r = new PacketReader(trickle(bytes("000ahello\n0000")));
        assertEquals(Packet.text("hello\n"), r.read());
        assertSame(Packet.FLUSH, r.read());
        assertNull(r.read());
    }

    @Test
    void specialPacketsAreRecognized() throws IOException {
        PacketReader r = reader("000000010002");
        assertSame(Packet.FLUSH, r.read());
        assertSame(Packet.DELIM, r.read());
        assertSame(Packet.RESPONSE_END, r.read());
        assertNull(r.read());
    }

    @Test
    void upperCaseHexLengthIsAccepted() throws IOException {
        assertEquals(Packet.text("hello\n"), reader("000Ahello\n").read());
    }

    @Test
    void cleanEndOfInputReturnsNullEveryTime() throws IOException {
        PacketReader r = reader("");
        assertNull(r.read());
        assertNull(r.read());
    }

    @Test
    void requireAtEndOfInputThrowsEof() throws IOException {
        PacketReader r = reader("0000");
        assertSame(Packet.FLUSH, r.require());
        EOFException e = assertThrows(EOFException.class, r::require);
        assertEquals("input ended where a pkt-line was expected", e.getMessage());
    }

    @Test
    void lengthFourIsAnEmptyDataPacketThatEncodesBackToFourBytes() throws IOException {
        // git's own reader accepts 0004 as an empty line; this reader does the same, and consistently.
        PacketReader r = reader("00040000");
        Packet empty = r.read();
        assertEquals(PacketType.DATA, empty.type());
        assertEquals(0, empty.payloadLength());
        assertEquals("0004", new String(empty.encode(), StandardCharsets.US_ASCII));
        assertSame(Packet.FLUSH, r.read());
    }

    @Test
    void nonHexLengthIsRefusedWithTheHeaderInTheMessage() {
        MalformedPacketException e = malformed("zzzzwant");
        assertEquals("pkt-line length is not hexadecimal: 'zzzz'", e.getMessage());
        assertArrayEquals(bytes("zzzz"), e.consumed());
    }

    @Test
    void nonPrintableHeaderBytesAreEscapedInTheMessage() {
        MalformedPacketException e = malformed("\u0000\u00ff0a");
        assertEquals("pkt-line length is not hexadecimal: '\\x00\\xff0a'", e.getMessage());
        assertArrayEquals(new byte[] {0, (byte) 0xff, '0', 'a'}, e.consumed());
    }

    @Test
    void lengthThreeIsRefused() {
        MalformedPacketException e = malformed("0003x");
        assertEquals("invalid pkt-line length 3 ('0003')", e.getMessage());
        assertArrayEquals(bytes("0003"), e.consumed());
    }

    @Test
    void lengthJustOverTheLimitIsRefusedWithoutReadingThePayload() {
        MalformedPacketException e = malformed("fff1");
        assertEquals("invalid pkt-line length 65521 ('fff1')", e.getMessage());
        assertArrayEquals(bytes("fff1"), e.consumed());
    }

    @Test
    void largestLengthFfffIsRefused() {
        MalformedPacketException e = malformed("ffffxxxx");
        assertEquals("invalid pkt-line length 65535 ('ffff')", e.getMessage());
        assertArrayEquals(bytes("ffff"), e.consumed());
    }

    @Test
    void headerCutShortIsRefusedWithTheBytesSeen() {
        MalformedPacketException e = malformed("00");
        assertEquals("input ends inside a pkt-line length", e.getMessage());
        assertArrayEquals(bytes("00"), e.consumed());
    }

    @Test
    void payloadCutShortIsRefusedWithHeaderAndPartialPayload() {
        MalformedPacketException e = malformed("000ahel");
        assertEquals("pkt-line cut short: 3 of 6 payload bytes", e.getMessage());
        assertArrayEquals(bytes("000ahel"), e.consumed());
    }

    @Test
    void problemAfterGoodPacketsCarriesOnlyTheBadPacketsBytes() throws IOException {
        PacketReader r = reader("0009done\n0000zz");
        assertEquals("done", r.read().line());
        assertSame(Packet.FLUSH, r.read());
        MalformedPacketException e = assertThrows(MalformedPacketException.class, r::read);
        assertArrayEquals(bytes("zz"), e.consumed());
    }

    @Test
    void consumedIsACopy() {
        MalformedPacketException e = malformed("zzzz");
        e.consumed()[0] = 'a';
        assertArrayEquals(bytes("zzzz"), e.consumed());
    }
}
