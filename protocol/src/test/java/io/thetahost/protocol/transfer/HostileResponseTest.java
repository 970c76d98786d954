package io.thetahost.protocol.transfer;

import static io.thetahost.protocol.transfer.Wire.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What a client's reader says about responses no server should send. */
class HostileResponseTest {
    private static final TensorId A = id(1);
    private static final TensorId B = id(2);
    private static final TensorId C = id(3);

    private static final Function<Wire, ResponseReader> LOOKUP_AB =
        w -> ResponseReader.forLookup(w.input(), List.of(A, B));
    private static final Function<Wire, ResponseReader> UPLOAD_AB =
        w -> ResponseReader.forUpload(w.input(), List.of(A, B));
    private static final Function<Wire, ResponseReader> CAPABILITIES = w -> ResponseReader.forCapabilities(w.input());
    /** Wants A (base B) and C; has nothing else. */
    private static final Function<Wire, ResponseReader> DOWNLOAD = w -> ResponseReader.forDownload(w.input(),
            List.of(Want.of(A, B), Want.of(C)), List.of(), new TransferLimits(10, 1000, 10));

    @Test
    void versionLine() {
        assertRefused("the response ends where the version line 'theta-transfer 1' was expected", LOOKUP_AB,
                new Wire());
        assertRefused("expected the version line 'theta-transfer 1' at the start of the response, got "
                + "'theta-transfer 2'", LOOKUP_AB, new Wire().line("theta-transfer 2").line("error no").flush());
        assertRefused("expected the version line 'theta-transfer 1' in the response, got a flush packet (0000)",
                LOOKUP_AB, new Wire().flush());
        assertRefused("expected the version line 'theta-transfer 1' at the start of the response, got 'missing "
                + A + "'", LOOKUP_AB, new Wire().line("missing " + A).flush());
    }

    @Test
    void answersOutOfOrderMissingOrExtra() {
        assertRefused("the server answered " + B + " where the answer for " + A + " (request item 1) was expected",
                LOOKUP_AB, response().line("missing " + B).line("missing " + A).flush());
        assertRefused("the response ends after 1 of 2 answers; none for " + B, LOOKUP_AB,
                response().line("missing " + A).flush());
        assertRefused("the server answered " + A + " where the answer for " + B + " (request item 2) was expected",
                LOOKUP_AB, response().line("missing " + A).line("missing " + A).flush());
        assertRefused("the server answered " + C + " after all 2 requested ids were answered", LOOKUP_AB,
                response().line("missing " + A).line("missing " + B).line("missing " + C).flush());
        assertRefused("the server answered " + B + " where the answer for " + A, UPLOAD_AB,
                response().line("stored " + B).flush());
        assertRefused("the response ends after 0 of 2 answers; none for " + A, UPLOAD_AB, response().flush());
    }

    @Test
    void linesOfAnotherCommand() {
        assertRefused("unexpected line 'stored " + A + "' in a lookup response (expected 'present <id> <dtype> "
                + "<shape> <size>' or 'missing <id>', 'progress <text>', 'error <message>' or the final flush)",
                LOOKUP_AB, response().line("stored " + A).flush());
        assertRefused("unexpected line 'missing " + A + "' in a upload response", UPLOAD_AB,
                response().line("missing " + A).flush());
        assertRefused("unexpected line 'present " + A + "' in a lookup response", LOOKUP_AB,
                response().line("present " + A).flush());
        assertRefused("unexpected line 'progress' in a lookup response", LOOKUP_AB, response().line("progress")
                .flush());
        assertRefused("unexpected line 'error ' in a lookup response", LOOKUP_AB, response().line("error ").flush());
        assertRefused("unexpected line 'rejected " + A + "' in a upload response", UPLOAD_AB,
                response().line("rejected " + A).flush());
        assertRefused("rejection without a reason", UPLOAD_AB, response().line("rejected " + A + " ").flush());
        assertRefused("expected a lookup response line or the final flush in the response, got a delim packet (0001)",
                LOOKUP_AB, response().delim().flush());
    }

    @Test
    void presentLines() {
        assertRefused("unknown dtype 'F31' in 'present " + A + " F31 2 8'", LOOKUP_AB,
                response().line("present " + A + " F31 2 8").flush());
        assertRefused("dimension '' is not a decimal number without sign or leading zeros", LOOKUP_AB,
                response().line("present " + A + " F32 1,,2 8").flush());
        assertRefused("dimension '-1' is not a decimal number", LOOKUP_AB,
                response().line("present " + A + " F32 -1 8").flush());
        assertRefused("tensor " + A + " of F32 [2] holds 8 bytes, not the 9 the server says", LOOKUP_AB,
                response().line("present " + A + " F32 2 9").flush());
        assertRefused("tensor " + A + " of F4 [3] has no whole size in bytes", LOOKUP_AB,
                response().line("present " + A + " F4 3 1").flush());
        assertRefused("invalid shape '9223372036854775807,9223372036854775807': shape", LOOKUP_AB,
                response().line("present " + A + " U8 9223372036854775807,9223372036854775807 1").flush());
        assertRefused("shape '" + "1,".repeat(32) + "1' has more than 32 dimensions", LOOKUP_AB,
                response().line("present " + A + " U8 " + "1,".repeat(32) + "1 1").flush());
        assertRefused("size '099' is not a decimal number", LOOKUP_AB,
                response().line("present " + A + " U8 1 099").flush());
        assertRefused("tensor " + A + " of U8 [1] holds 1 bytes, not the 99999999999999999999 the server says",
                LOOKUP_AB, response().line("present " + A + " U8 1 99999999999999999999").flush());
    }

    @Test
    void downloadObjectHeaders() {
        assertRefused("unknown encoding 'gzip' for object " + A, DOWNLOAD,
                response().line("object " + A + " gzip 4 base " + B).body(4, 4).flush());
        assertRefused("dense object " + A + " names a base, which only a patch has", DOWNLOAD,
                response().line("object " + A + " dense 4 base " + B).body(4, 4).flush());
        assertRefused("object " + A + " names itself as its base", w -> ResponseReader.forDownload(w.input(),
                List.of(Want.of(A)), List.of(A), TransferLimits.DEFAULTS),
                response().line("object " + A + " xor 4 base " + A).body(4, 4).flush());
        assertRefused("xor object " + A + " names no base", DOWNLOAD,
                response().line("object " + A + " xor 4").body(4, 4).flush());
        assertRefused("object " + C + " is encoded against " + A + ", which the client neither offered nor received "
                + "earlier in this response", DOWNLOAD,
                response().line("missing " + A).line("object " + C + " xor 4 base " + A).body(4, 4).flush());
        assertRefused("object " + A + " declares 1001 bytes, more than the 1000 this client accepts", DOWNLOAD,
                response().line("object " + A + " dense 1001").flush());
        assertRefused("object " + A + " declares 1152921504606846976 bytes", DOWNLOAD,
                response().line("object " + A + " dense 1152921504606846976").flush());
        assertRefused("unexpected line 'object " + A + " dense 4 from " + B + "'", DOWNLOAD,
                response().line("object " + A + " dense 4 from " + B).flush());
    }

    @Test
    void aPatchMayUseAnObjectSentEarlier() throws IOException {
        ResponseReader r = DOWNLOAD.apply(response().line("object " + A + " dense 4").body(4, 4)
                .line("object " + C + " sparse 2 base " + A).body(2, 1).flush());
        assertInstanceOf(ResponseEvent.EncodedObject.class, r.next());
        assertInstanceOf(ResponseEvent.EncodedObject.class, r.next());
        assertEquals(new ResponseEvent.End(), r.next());
    }

    @Test
    void downloadBodies() {
        assertRefused("a flush packet (0000) inside the body of object " + A + " after 3 of its 4 bytes (the body is "
                + "shorter than declared)", DOWNLOAD, response().line("object " + A + " dense 4").body(3, 3).flush());
        assertRefused("packet crosses the end of object " + A + " (a packet of 5 bytes where 4 of its 4 bytes were "
                + "left)", DOWNLOAD, response().line("object " + A + " dense 4").body(5, 5).flush());
        assertRefused("the response ends where the rest of object " + A + " (2 of 4 bytes received) was expected",
                DOWNLOAD, response().line("object " + A + " dense 4").body(2, 2));
        assertRefused("an empty data packet inside the body of object " + A, DOWNLOAD,
                response().line("object " + A + " dense 4").raw("0004").body(4, 4).flush());
        assertRefused("expected the error line after the delim that aborts object " + A + ", got 'progress x'",
                DOWNLOAD, response().line("object " + A + " dense 4").body(2, 2).delim().line("progress x").flush());
        assertRefused("expected the flush after the error line, got the line 'missing", DOWNLOAD,
                response().line("object " + A + " dense 4").body(2, 2).delim().line("error disk")
                        .line("missing " + C).flush());
        assertRefused("a line in the response does not end in a newline", DOWNLOAD,
                response().line("object " + A + " dense 4").body(4, 4).body(3, 3).flush());
    }

    @Test
    void errorLines() {
        assertRefused("expected the flush after the error line, got the line 'missing " + A, LOOKUP_AB,
                response().line("error out of memory").line("missing " + A).flush());
        assertRefused("the response ends where the flush after the error line was expected", LOOKUP_AB,
                response().line("error out of memory"));
        assertRefused("unexpected bytes after the final flush of the response (first byte 0x30)", LOOKUP_AB,
                response().line("error out of memory").flush().flush());
    }

    @Test
    void garbageAfterTheFinalFlush() {
        assertRefused("unexpected bytes after the final flush of the response (first byte 0x30)", LOOKUP_AB,
                response().line("missing " + A).line("missing " + B).flush().line("missing " + C));
        assertRefused("unexpected bytes after the final flush of the response (first byte 0x78)", CAPABILITIES,
                capabilities().flush().raw("x"));
    }

    @Test
    void truncatedAndOversizedPacketLines() {
        assertRefused("malformed pkt-line in the response where a lookup response line or the final flush was "
                + "expected: pkt-line cut short: 4 of 60 payload bytes", LOOKUP_AB, response().raw("0040miss"));
        assertRefused("malformed pkt-line in the response where a lookup response line or the final flush was "
                + "expected: invalid pkt-line length 65535 ('ffff')", LOOKUP_AB, response().raw("ffff"));
        assertRefused("the response ends where a lookup response line or the final flush was expected", LOOKUP_AB,
                response().line("missing " + A));
    }

    @Test
    void capabilitiesResponses() throws IOException {
        assertRefused("the capabilities response has no max-objects line", CAPABILITIES,
                response().line("version 1").line("commands capabilities").line("encodings dense")
                        .line("max-object-bytes 1").line("max-ids 1").flush());
        assertRefused("the server advertises version '2' in a theta-transfer 1 response", CAPABILITIES,
                capabilities("version 2").flush());
        assertRefused("max-ids '0' is not between 1 and 2147483647", CAPABILITIES, capabilities("max-ids 0").flush());
        assertRefused("max-objects '2147483648' is not between 1 and 2147483647", CAPABILITIES,
                capabilities("max-objects 2147483648").flush());
        assertRefused("max-object-bytes '9223372036854775808' is not between 1 and 9223372036854775807", CAPABILITIES,
                capabilities("max-object-bytes 9223372036854775808").flush());
        assertRefused("the capabilities response gives max-ids twice", CAPABILITIES,
                capabilities().line("max-ids 5").flush());
        assertRefused("the server's commands line does not list capabilities", CAPABILITIES,
                capabilities("commands lookup download").flush());
        assertRefused("the server's encodings line does not list dense", CAPABILITIES,
                capabilities("encodings xor").flush());
        assertRefused("an empty name in the encodings line 'dense  xor'", CAPABILITIES,
                capabilities("encodings dense  xor").flush());
        assertRefused("expected '<name> <value>' in the capabilities response, got 'shallow'", CAPABILITIES,
                capabilities().line("shallow").flush());
        assertRefused("expected '<name> <value>' in the capabilities response, got 'Max-ids 5'", CAPABILITIES,
                capabilities().line("Max-ids 5").flush());
        assertRefused("the server's capability agent has a value that is not printable ASCII", CAPABILITIES,
                capabilities().line("agent a b").flush());
        Wire many = capabilities();
        for (int i = 0; i < 60; i++) {
            many.line("x" + i + " 1");
        }
        assertRefused("more than 64 lines in the capabilities response", CAPABILITIES, many.flush());

        // Names a later server may add are ignored.
        ResponseReader r = CAPABILITIES.apply(capabilities("commands capabilities lookup gc", "encodings dense zfp")
                .line("resumable yes").flush());
        ResponseEvent.Capabilities c = assertInstanceOf(ResponseEvent.Capabilities.class, r.next());
        assertEquals(java.util.Set.of(Command.CAPABILITIES, Command.LOOKUP), c.capabilities().commands());
        assertEquals(java.util.Set.of(WireEncoding.DENSE), c.capabilities().encodings());
    }

    @Test
    void aFailedReaderStaysFailed() throws IOException {
        ResponseReader r = LOOKUP_AB.apply(response().line("missing " + B).flush());
        TransferProtocolException first = assertThrows(TransferProtocolException.class, r::next);
        TransferProtocolException again = assertThrows(TransferProtocolException.class, r::next);
        assertTrue(again.getMessage().endsWith(first.getMessage()));
    }

    private static Wire response() {
        return new Wire().line(TransferProtocol.VERSION_LINE);
    }

    /** A valid capabilities response without its flush, with the given lines replacing those of the same name. */
    private static Wire capabilities(String... replacing) {
        String[] lines = {"version 1", "commands capabilities lookup download upload", "encodings dense xor",
            "max-object-bytes 1000", "max-ids 10", "max-objects 10"};
        Wire w = response();
        for (String line : lines) {
            String name = line.substring(0, line.indexOf(' '));
            for (String r : replacing) {
                if (r.startsWith(name + " ")) {
                    line = r;
                }
            }
            w.line(line);
        }
        return w;
    }

    /** Reading every event and every body fails with a message that starts with {@code expected}. */
    private static void assertRefused(String expected, Function<Wire, ResponseReader> reader, Wire w) {
        ResponseReader r = reader.apply(w);
        TransferProtocolException e = assertThrows(TransferProtocolException.class, () -> drain(r));
        assertTrue(e.getMessage().startsWith(expected), () -> "expected a message starting with\n  " + expected
                + "\nbut got\n  " + e.getMessage());
    }

    static void drain(ResponseReader r) throws IOException {
        for (int i = 0; i < 1_000_000; i++) {
            ResponseEvent e = r.next();
            if (e instanceof ResponseEvent.EncodedObject o) {
                o.body().readAllBytes();
            }
            if (e instanceof ResponseEvent.End) {
                return;
            }
        }
        throw new AssertionError("no end");
    }
}
