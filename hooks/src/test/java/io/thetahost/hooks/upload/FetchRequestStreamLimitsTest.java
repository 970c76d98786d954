package io.thetahost.hooks.upload;

import static io.thetahost.hooks.upload.PktLines.of;
import static io.thetahost.hooks.upload.PktLines.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.errors.PackProtocolException;
import org.junit.jupiter.api.Test;

/** The stateless shallow probe, malformed input, and the bound on a request section. */
class FetchRequestStreamLimitsTest extends OnLinearHistory {
    private static final long BOUND = 1000;

    private FetchRequestStream stream(byte[] request, int version, boolean stateless) {
        return new FetchRequestStream(new ByteArrayInputStream(request), history.repository(), version, stateless,
                BOUND);
    }

    @Test
    void statelessShallowProbeGetsAnEmptyRoundAdded() throws IOException {
        byte[] request = of("want " + tip + " multi_ack_detailed", "want " + history.tipMinus(1), "deepen-since 123",
                "0000");
        FetchRequestStream in = stream(request, 0, true);
        assertFalse(in.isShallowProbe());
        assertEquals(text(request) + "0000", text(in.readAllBytes()));
        assertTrue(in.isShallowProbe());
    }

    @Test
    void statelessShallowRequestWithHavesIsNotAProbe() throws IOException {
        byte[] request = of("want " + tip, "deepen-since 123", "0000", "have " + history.tipMinus(3), "done");
        FetchRequestStream in = stream(request, 0, true);
        assertEquals(text(request), text(in.readAllBytes()));
        assertFalse(in.isShallowProbe());
    }

    @Test
    void statelessRequestWithoutDeepeningIsNotAProbe() throws IOException {
        byte[] request = of("want " + tip, "0000");
        FetchRequestStream in = stream(request, 0, true);
        assertEquals(text(request), text(in.readAllBytes()));
        assertFalse(in.isShallowProbe());
    }

    @Test
    void bidirectionalShallowRequestIsNeverAProbe() throws IOException {
        byte[] request = of("want " + tip, "deepen-not refs/heads/old", "0000");
        FetchRequestStream in = stream(request, 0, false);
        assertEquals(text(request), text(in.readAllBytes()));
        assertFalse(in.isShallowProbe());
    }

    @Test
    void malformedInputFailsOnceWithProtocolErrorThenReadsAsEnded() throws IOException {
        FetchRequestStream in = stream("zzzz0000".getBytes(StandardCharsets.US_ASCII), 0, false);
        PackProtocolException e = assertThrows(PackProtocolException.class, in::read);
        assertTrue(e.getMessage().startsWith("protocol error:"), e.getMessage());
        assertEquals("protocol error: pkt-line length is not hexadecimal: 'zzzz'", e.getMessage());
        assertEquals(-1, in.read());
        assertEquals(-1, in.read(new byte[10], 0, 10));
    }

    @Test
    void requestCutShortInsideAPacketIsAProtocolError() throws IOException {
        byte[] request = PktLines.concat(of("want " + tip), "0032have".getBytes(StandardCharsets.US_ASCII));
        FetchRequestStream in = stream(request, 0, false);
        PackProtocolException e = assertThrows(PackProtocolException.class, in::readAllBytes);
        assertEquals("protocol error: pkt-line cut short: 4 of 46 payload bytes", e.getMessage());
        assertEquals(-1, in.read());
    }

    private List<String> haves(int count) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lines.add("have " + history.tipMinus(i % 6));
        }
        return lines;
    }

    @Test
    void tooManyHavesWithoutAFlushAreRefused() {
        List<String> lines = new ArrayList<>(List.of("want " + tip, "0000"));
        lines.addAll(haves(25)); // 25 * 50 bytes > 1000
        FetchRequestStream in = stream(of(lines.toArray(String[]::new)), 0, false);
        PackProtocolException e = assertThrows(PackProtocolException.class, in::readAllBytes);
        assertEquals("fetch request too large: more than 1000 bytes of wants or haves without a flush",
                e.getMessage());
    }

    @Test
    void tooManyWantsWithoutAFlushAreRefused() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            lines.add("want " + history.tipMinus(i % 6));
        }
        lines.add("0000");
        FetchRequestStream in = stream(of(lines.toArray(String[]::new)), 0, false);
        PackProtocolException e = assertThrows(PackProtocolException.class, in::readAllBytes);
        assertTrue(e.getMessage().startsWith("fetch request too large:"), e.getMessage());
    }

    @Test
    void sameHavesSplitByFlushesAreAccepted() throws IOException {
        List<String> lines = new ArrayList<>(List.of("want " + tip, "0000"));
        List<String> haves = haves(25);
        for (int i = 0; i < haves.size(); i++) {
            lines.add(haves.get(i));
            if (i % 5 == 4) {
                lines.add("0000");
            }
        }
        lines.add("done");
        byte[] request = of(lines.toArray(String[]::new));
        assertEquals(text(request), text(stream(request, 0, false).readAllBytes()));
    }

    @Test
    void v2HavesAreBoundedToo() {
        List<String> lines = new ArrayList<>(List.of("command=fetch", "0001", "want " + tip));
        lines.addAll(haves(25));
        lines.add("0000");
        FetchRequestStream in = stream(of(lines.toArray(String[]::new)), 2, false);
        PackProtocolException e = assertThrows(PackProtocolException.class, in::readAllBytes);
        assertEquals("fetch request too large: more than 1000 bytes of wants or haves without a flush",
                e.getMessage());
    }
}
