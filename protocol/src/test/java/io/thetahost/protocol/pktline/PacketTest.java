package io.thetahost.protocol.pktline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PacketTest {

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void textPacketEncodesWithFourHexDigitLengthIncludingHeader() {
        assertEquals("000ahello\n", ascii(Packet.text("hello\n").encode()));
        assertEquals("0004", ascii(Packet.data(new byte[0]).encode()));
    }

    @Test
    void specialPacketsEncodeAsTheirFourDigitCodes() {
        assertEquals("0000", ascii(Packet.FLUSH.encode()));
        assertEquals("0001", ascii(Packet.DELIM.encode()));
        assertEquals("0002", ascii(Packet.RESPONSE_END.encode()));
        assertEquals(PacketType.FLUSH, Packet.FLUSH.type());
        assertFalse(Packet.FLUSH.isData());
        assertEquals(0, Packet.DELIM.payloadLength());
    }

    @Test
    void lineDropsExactlyOneTrailingNewline() {
        assertEquals("want abc", Packet.text("want abc\n").line());
        assertEquals("want abc", Packet.text("want abc").line());
        assertEquals("x\n", Packet.text("x\n\n").line());
        assertEquals("", Packet.data(new byte[0]).line());
    }

    @Test
    void payloadIsDefensivelyCopied() {
        byte[] bytes = {'a', 'b'};
        Packet p = Packet.data(bytes);
        bytes[0] = 'z';
        assertArrayEquals(new byte[] {'a', 'b'}, p.payload());
        p.payload()[1] = 'z';
        assertArrayEquals(new byte[] {'a', 'b'}, p.payload());
    }

    @Test
    void largestPayloadEncodesAsFff0() {
        Packet p = Packet.data(new byte[Packet.MAX_PAYLOAD]);
        byte[] encoded = p.encode();
        assertEquals(65520, encoded.length);
        assertEquals("fff0", ascii(java.util.Arrays.copyOf(encoded, 4)));
    }

    @Test
    void payloadOverTheLimitIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Packet.data(new byte[Packet.MAX_PAYLOAD + 1]));
        assertEquals("pkt-line payload of 65517 bytes exceeds 65516", e.getMessage());
    }

    @Test
    void equalityFollowsTypeAndPayload() {
        assertEquals(Packet.text("a\n"), Packet.data("a\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Packet.text("a\n").hashCode(), Packet.text("a\n").hashCode());
        assertNotEquals(Packet.text("a\n"), Packet.text("a"));
        assertNotEquals(Packet.FLUSH, Packet.DELIM);
        assertNotEquals(Packet.FLUSH, Packet.data(new byte[0]));
    }

    @Test
    void toStringShowsLineOrSpecialName() {
        assertEquals("data(done)", Packet.text("done\n").toString());
        assertEquals("flush", Packet.FLUSH.toString());
        assertEquals("response_end", Packet.RESPONSE_END.toString());
        assertTrue(Packet.text("x").isData());
    }
}
