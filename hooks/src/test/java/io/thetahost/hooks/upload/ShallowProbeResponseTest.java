package io.thetahost.hooks.upload;

import static io.thetahost.hooks.upload.PktLines.of;
import static io.thetahost.hooks.upload.PktLines.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShallowProbeResponseTest extends OnLinearHistory {
    /** A request stream that has been read to its end, as upload-pack would before answering. */
    private FetchRequestStream readRequest(byte[] request) throws IOException {
        FetchRequestStream in = new FetchRequestStream(new ByteArrayInputStream(request), history.repository(), 0,
                true, 1 << 20);
        in.readAllBytes();
        return in;
    }

    private byte[] answer() {
        return of("shallow " + history.tipMinus(2), "0000", "NAK", "0000");
    }

    private static String respond(FetchRequestStream request, byte[] answer, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ShallowProbeResponse r = new ShallowProbeResponse(out, request)) {
            PktLines.writeInChunks(r, answer, chunk);
        }
        return text(out.toByteArray());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4096})
    void probeAnswerStopsAfterTheShallowListsFlush(int chunk) throws IOException {
        FetchRequestStream probe = readRequest(of("want " + tip, "deepen-since 123", "0000"));
        assertTrue(probe.isShallowProbe());
        assertEquals(text(of("shallow " + history.tipMinus(2), "0000")), respond(probe, answer(), chunk));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4096})
    void otherAnswersPassThroughWhole(int chunk) throws IOException {
        FetchRequestStream request = readRequest(of("want " + tip, "deepen-since 123", "0000",
                "have " + history.tipMinus(4), "done"));
        assertFalse(request.isShallowProbe());
        assertEquals(text(answer()), respond(request, answer(), chunk));
    }
}
