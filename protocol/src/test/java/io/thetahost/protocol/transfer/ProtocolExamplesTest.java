package io.thetahost.protocol.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every example exchange in PROTOCOL.md, run through the readers: the lengths in the text are exact, each request is
 * read as the text says (or refused with the message its response shows), and each response is valid for it.
 */
class ProtocolExamplesTest {
    private static final Pattern BODY = Pattern.compile("([0-9a-f]{4})<(\\d+) bytes>");

    @Test
    void everyExampleIsAValidExchange() throws IOException {
        List<Block> blocks = blocks();
        int exchanges = 0;
        for (int i = 0; i + 1 < blocks.size(); i++) {
            Block request = blocks.get(i);
            Block response = blocks.get(i + 1);
            if (request.kind.equals("response") || !response.kind.equals("response")) {
                continue;
            }
            exchange(request, response);
            exchanges++;
        }
        assertEquals(6, exchanges, "the exchanges of PROTOCOL.md");
    }

    private static void exchange(Block requestBlock, Block responseBlock) throws IOException {
        RequestReader server = new RequestReader(new ByteArrayInputStream(requestBlock.bytes),
                TransferLimits.DEFAULTS);
        List<ResponseEvent> events = new ArrayList<>();
        if (requestBlock.kind.equals("refused-request")) {
            TransferProtocolException e = assertThrows(TransferProtocolException.class, server::readRequest);
            ResponseReader client = ResponseReader.forCapabilities(new ByteArrayInputStream(responseBlock.bytes));
            assertEquals(new ResponseEvent.ServerError(e.getMessage()), client.next(), "at line " + responseBlock.line);
            return;
        }
        TransferRequest request = server.readRequest();
        List<TensorId> uploaded = new ArrayList<>();
        if (request.command() == Command.UPLOAD) {
            Optional<IncomingObject> o;
            while ((o = server.nextObject()).isPresent()) {
                uploaded.add(o.get().header().id());
                o.get().body().readAllBytes();
            }
        }
        ResponseReader client = ResponseReader.forRequest(new ByteArrayInputStream(responseBlock.bytes), request,
                uploaded, TransferLimits.DEFAULTS);
        ResponseEvent e;
        boolean aborted = false;
        do {
            e = client.next();
            events.add(e);
            if (e instanceof ResponseEvent.EncodedObject o) {
                try {
                    o.body().readAllBytes();
                } catch (TransferProtocolException abort) {
                    aborted = true;
                }
            }
        } while (!(e instanceof ResponseEvent.End));
        assertTrue(events.size() > 1, "the response at line " + responseBlock.line + " says something");
        if (aborted) {
            assertInstanceOf(ResponseEvent.ServerError.class, events.get(events.size() - 2));
        }
    }

    private record Block(String kind, int line, byte[] bytes) {
    }

    /** The fenced blocks tagged request, refused-request or response, as the bytes they stand for. */
    private static List<Block> blocks() throws IOException {
        Path doc = Path.of("PROTOCOL.md");
        if (!Files.exists(doc)) {
            doc = Path.of("protocol", "PROTOCOL.md");
        }
        List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String fence = lines.get(i);
            if (!fence.equals("```request") && !fence.equals("```refused-request") && !fence.equals("```response")) {
                continue;
            }
            Wire w = new Wire();
            int start = i + 1;
            for (i++; !lines.get(i).equals("```"); i++) {
                packet(w, lines.get(i), i + 1);
            }
            blocks.add(new Block(fence.substring(3), start, w.bytes()));
        }
        return blocks;
    }

    private static void packet(Wire w, String text, int lineNumber) {
        if (text.equals("0000") || text.equals("0001")) {
            w.raw(text);
            return;
        }
        int declared = Integer.parseInt(text.substring(0, 4), 16);
        Matcher body = BODY.matcher(text);
        if (body.matches()) {
            int n = Integer.parseInt(body.group(2));
            assertEquals(n + 4, declared, "packet length at PROTOCOL.md line " + lineNumber);
            w.data(new byte[n]);
            return;
        }
        String payload = text.substring(4);
        assertEquals(payload.getBytes(StandardCharsets.UTF_8).length + 5, declared,
                "line length at PROTOCOL.md line " + lineNumber);
        w.line(payload);
    }
}
