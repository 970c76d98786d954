package io.thetahost.hooks.upload;

import static io.thetahost.hooks.upload.PktLines.of;
import static io.thetahost.hooks.upload.PktLines.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thetahost.protocol.pktline.Packet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShallowCapabilitiesTest {
    private static final String OID = "0123456789abcdef0123456789abcdef01234567";
    private static final String CAPS = "multi_ack thin-pack side-band-64k shallow agent=JGit/7";
    private static final String ADDED = " deepen-since deepen-not deepen-relative";

    private static String filter(byte[] input, int... chunkSizes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ShallowCapabilities s = new ShallowCapabilities(out)) {
            PktLines.writeInChunks(s, input, chunkSizes);
        }
        return text(out.toByteArray());
    }

    private static byte[] httpAdvertisement(String caps) {
        return of("# service=git-upload-pack", "0000", OID + " HEAD\0" + caps, OID + " refs/heads/main",
                OID + " refs/tags/v1", "0000");
    }

    @Test
    void capabilitiesAreAppendedToTheFirstRefLineWithACorrectedLength() throws IOException {
        String out = filter(httpAdvertisement(CAPS), 4096);
        String head = "001e# service=git-upload-pack\n0000";
        String line = OID + " HEAD\0" + CAPS + " deepen-since deepen-not deepen-relative\n";
        assertEquals(head + String.format("%04x", line.length() + 4) + line, out.substring(0, head.length() + 4
                + line.length()));
        assertEquals(text(of(OID + " refs/heads/main", OID + " refs/tags/v1", "0000")),
                out.substring(head.length() + 4 + line.length()));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 13, 64})
    void worksWhateverSizeThePiecesArrive(int chunk) throws IOException {
        assertEquals(text(httpAdvertisement(CAPS + ADDED)), filter(httpAdvertisement(CAPS), chunk));
    }

    @Test
    void worksWithUnevenPieces() throws IOException {
        assertEquals(text(httpAdvertisement(CAPS + ADDED)), filter(httpAdvertisement(CAPS), 3, 1, 9, 2, 31));
    }

    @Test
    void sshAdvertisementWithoutServiceLineIsRewrittenToo() throws IOException {
        byte[] ssh = of(OID + " HEAD\0" + CAPS, OID + " refs/heads/main", "0000");
        assertEquals(text(of(OID + " HEAD\0" + CAPS + ADDED, OID + " refs/heads/main", "0000")), filter(ssh, 1));
    }

    @Test
    void lineWithoutTrailingNewlineGetsTheWordsAtTheEnd() throws IOException {
        byte[] bare = Packet.data((OID + " HEAD\0" + CAPS)
                .getBytes(StandardCharsets.US_ASCII)).encode();
        byte[] expected = Packet.data((OID + " HEAD\0" + CAPS + ADDED)
                .getBytes(StandardCharsets.US_ASCII)).encode();
        assertEquals(text(expected), filter(bare, 5));
    }

    @Test
    void onlyTheFirstLineWithANulIsRewritten() throws IOException {
        byte[] input = of(OID + " HEAD\0" + CAPS, OID + " refs/heads/x\0not-caps", "0000");
        assertEquals(text(of(OID + " HEAD\0" + CAPS + ADDED, OID + " refs/heads/x\0not-caps", "0000")),
                filter(input, 1));
    }

    @Test
    void inputThatIsNotPktLinesPassesThroughUntouched() throws IOException {
        byte[] input = "ERR something went wrong\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(text(input), filter(input, 2));
    }

    @Test
    void partialPacketIsPassedOnAtClose() throws IOException {
        byte[] input = PktLines.concat(of("# service=git-upload-pack", "0000"),
                "00ff0123".getBytes(StandardCharsets.US_ASCII));
        assertEquals(text(input), filter(input, 3));
    }
}
