package io.thetahost.protocol.transfer;

import static io.thetahost.protocol.transfer.Wire.id;
import static io.thetahost.protocol.transfer.Wire.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a server's reader says about requests no client should send. */
class HostileRequestTest {
    private static final TensorId A = id(1);
    private static final TensorId B = id(2);
    private static final TransferLimits SMALL = new TransferLimits(3, 1000, 2);

    @Test
    void emptyInput() {
        assertRefused("the request ends where the version line 'theta-transfer 1' was "
                + "expected", new Wire());
    }

    @Test
    void missingVersionLine() {
        assertRefused("expected 'theta-transfer 1', got the line 'command=lookup\\u000a'",
                new Wire().line("command=lookup").delim().flush());
        assertRefused("expected 'theta-transfer 1', got a flush packet (0000)", new Wire().flush());
        assertRefused("expected 'theta-transfer 1', got the line 'git-upload-pack \\'/a/b.git\\'\\u000a'",
                new Wire().line("git-upload-pack '/a/b.git'"));
    }

    @Test
    void wrongVersion() {
        assertRefused("unsupported protocol version '2': this server speaks theta-transfer 1",
                new Wire().line("theta-transfer 2").line("command=capabilities").delim().flush());
        assertRefused("unsupported protocol version '1 ': this server speaks theta-transfer 1",
                new Wire().line("theta-transfer 1 ").line("command=capabilities").delim().flush());
    }

    @Test
    void versionLineWithoutItsNewline() {
        assertRefused("a line in the request does not end in a newline: the line 'theta-transfer 1' (where "
                + "'theta-transfer 1' was expected)", new Wire().data("theta-transfer 1".getBytes()));
    }

    @Test
    void unknownOrMissingCommand() {
        assertRefused("unknown command 'foo' (this server knows capabilities, lookup, download and upload)",
                request("foo").flush());
        assertRefused("expected 'command=<name>' after the version line, got the line 'agent=x\\u000a'",
                new Wire().line("theta-transfer 1").line("agent=x").line("command=lookup").delim().flush());
        assertRefused("expected 'command=<name>' after the version line, got a delim packet (0001)",
                new Wire().line("theta-transfer 1").delim().flush());
    }

    @Test
    void missingDelim() {
        assertRefused("expected a capability line 'key=value' or the delim packet (0001) in the request, got a flush "
                + "packet (0000)", new Wire().line("theta-transfer 1").line("command=capabilities").flush());
    }

    @Test
    void badCapabilityLines() {
        Wire head = new Wire().line("theta-transfer 1").line("command=lookup");
        assertRefused("capability name 'Agent' is not lowercase letters, digits and '-', starting with a letter in "
                + "'Agent=x'", copy(head).line("Agent=x").delim().flush());
        assertRefused("capability agent has a value that is not printable ASCII without spaces: 'theta 0.1' in "
                + "'agent=theta 0.1'", copy(head).line("agent=theta 0.1").delim().flush());
        assertRefused("capability agent has no value in 'agent='", copy(head).line("agent=").delim().flush());
        assertRefused("'command' is not a capability in 'command=upload'",
                copy(head).line("command=upload").delim().flush());
        assertRefused("capability agent has a value of 257 characters (at most 256)",
                copy(head).line("agent=" + "x".repeat(257)).delim().flush());
        assertRefused("capability agent given twice", copy(head).line("agent=a").line("agent=b").delim().flush());
        assertRefused("expected a capability line 'key=value' or the delim packet (0001), got 'id " + A + "'",
                copy(head).line("id " + A).flush());
        Wire many = copy(head);
        for (int i = 0; i <= 64; i++) {
            many.line("x" + i + "=1");
        }
        assertRefused("more than 64 capability lines", many.delim().flush());
    }

    @Test
    void unknownCapabilitiesAreKept() throws IOException {
        TransferRequest r = read(new Wire().line("theta-transfer 1").line("command=lookup").line("future-thing=a=b")
                .delim().flush(), TransferLimits.DEFAULTS);
        assertEquals("a=b", r.clientCapabilities().get("future-thing"));
    }

    @Test
    void unknownArgumentLines() {
        assertRefused("unexpected argument line 'want " + A + "' for command lookup (expected 'id <tensor-id>' or the "
                + "final flush)", request("lookup").line("want " + A).flush());
        assertRefused("unexpected argument line 'id " + A + "' for command capabilities (expected the final flush "
                + "(capabilities takes no arguments))", request("capabilities").line("id " + A).flush());
        assertRefused("unexpected argument line 'want " + A + " from " + B + "' for command download (expected "
                + "'want <id> [base <id>]', 'have <id>' or the final flush)",
                request("download").line("want " + A + " from " + B).flush());
        assertRefused("unexpected argument line 'id  " + A + "' for command lookup (expected 'id <tensor-id>' or the "
                + "final flush)", request("lookup").line("id  " + A).flush());
        assertRefused("unexpected argument line 'have' for command download", request("download").line("have").flush());
        assertRefused("unexpected argument line 'objects 1' for command upload (expected an object line or the "
                + "final flush)", request("upload").line("objects 1").line("objects 1").flush());
        assertRefused("a second delim packet (0001) in the request, among the lookup arguments",
                request("lookup").delim().flush());
    }

    @Test
    void malformedIds() {
        assertRefused("malformed tensor id 'sha256:xyz' in 'id sha256:xyz' (expected sha256:<64 lowercase hex>)",
                request("lookup").line("id sha256:xyz").flush());
        String upper = "sha256:" + "AB".repeat(32);
        assertRefused("malformed tensor id '" + upper + "'", request("lookup").line("id " + upper).flush());
        assertRefused("malformed tensor id 'md5:00'", request("download").line("want " + A + " base md5:00").flush());
        assertRefused("malformed tensor id ''", request("download").line("have ").flush());
    }

    @Test
    void tooManyIds() {
        Wire ids = request("lookup");
        Wire wants = request("download");
        Wire haves = request("download");
        for (int i = 0; i < 4; i++) {
            ids.line("id " + id(i));
            wants.line("want " + id(i));
            haves.line("have " + id(i));
        }
        assertRefused("more than 3 ids in one lookup request (the server's max-ids)", ids.flush(), SMALL);
        assertRefused("more than 3 wants in one download request (the server's max-ids)", wants.flush(), SMALL);
        assertRefused("more than 3 haves in one download request (the server's max-ids)", haves.flush(), SMALL);
    }

    @Test
    void repeatedIds() {
        assertRefused("id " + A + " is listed twice", request("lookup").line("id " + A).line("id " + A).flush());
        assertRefused("want " + A + " is listed twice",
                request("download").line("want " + A).line("want " + A + " base " + B).flush());
        assertRefused("want " + A + " names itself as its base", request("download").line("want " + A + " base " + A)
                .flush());
        assertRefused("want " + A + " is also listed as have",
                request("download").line("have " + A).line("want " + A).flush());
        assertRefused("want " + A + " names base " + B + ", which is itself wanted",
                request("download").line("want " + A + " base " + B).line("want " + B).flush());
    }

    @Test
    void wantsWithSeveralBases() {
        String c = "sha256:" + "c".repeat(64);
        String d = "sha256:" + "d".repeat(64);
        String e = "sha256:" + "e".repeat(64);
        String f = "sha256:" + "f".repeat(64);
        assertRefused("want " + A + " names 5 bases, more than the 4 this server reads",
                request("download").line("want " + A + " base " + B + " " + c + " " + d + " " + e + " " + f).flush());
        assertRefused("want " + A + " names base " + c + " twice",
                request("download").line("want " + A + " base " + B + " " + c + " " + c).flush());
        assertRefused("want " + A + " names itself as its base",
                request("download").line("want " + A + " base " + B + " " + A).flush());
        assertRefused("want " + A + " names base " + c + ", which is itself wanted",
                request("download").line("want " + A + " base " + B + " " + c).line("want " + c).flush());
    }

    @Test
    void truncatedAndOversizedPacketLines() {
        assertRefused("malformed pkt-line in the request where 'id <tensor-id>' or the final flush was expected: "
                + "pkt-line cut short: 5 of 251 payload bytes", request("lookup").raw("00ffid sh"));
        assertRefused("malformed pkt-line in the request where 'id <tensor-id>' or the final flush was expected: "
                + "invalid pkt-line length 65521 ('fff1')", request("lookup").raw("fff1").raw(new byte[70000]));
        assertRefused("malformed pkt-line in the request where 'id <tensor-id>' or the final flush was expected: "
                + "pkt-line length is not hexadecimal: 'zz\\x00\\x01'", request("lookup").raw("zz\0\1"));
        assertRefused("malformed pkt-line in the request where 'id <tensor-id>' or the final flush was expected: "
                + "input ends inside a pkt-line length", request("lookup").raw("00"));
        assertRefused("unexpected response-end packet (0002) in the request where 'id <tensor-id>' or the final flush "
                + "was expected (theta transfer does not use it)", request("lookup").raw("0002"));
        assertRefused("malformed pkt-line in the request where the version line 'theta-transfer 1' was expected: "
                + "invalid pkt-line length 3 ('0003')", new Wire().raw("0003abc"));
    }

    @Test
    void missingFinalFlushAndGarbageAfterIt() {
        assertRefused("the request ends where 'id <tensor-id>' or the final flush was expected",
                request("lookup").line("id " + A));
        assertRefused("unexpected bytes after the final flush of the request (first byte 0x30)",
                request("lookup").line("id " + A).flush().flush());
        assertRefused("unexpected bytes after the final flush of the request (first byte 0x0a)",
                request("capabilities").flush().raw("\n"));
    }

    @Test
    void linesThatAreNotText() {
        assertRefused("a line in the request does not end in a newline: the line 'id " + A + "'",
                request("lookup").data(("id " + A).getBytes()).flush());
        assertRefused("control character U+0009 in a line of the request: 'id\\u0009",
                request("lookup").line("id\t" + A).flush());
        assertRefused("a line in the request is not valid UTF-8: the line 'id \\u00ff\\u000a'",
                request("lookup").data(new byte[] {'i', 'd', ' ', (byte) 0xff, '\n'}).flush());
        assertRefused("control character U+0085 in a line of the request",
                request("lookup").line("id \u0085").flush());
        assertRefused("an empty data packet (0004) in the request where 'id <tensor-id>' or the final flush was "
                + "expected",
                request("lookup").data(new byte[0]).flush());
    }

    @Test
    void uploadCountsAndLimits() {
        assertRefused("the upload declares 3 objects, more than the 2 this server accepts in one upload",
                request("upload").line("objects 3").flush(), SMALL);
        assertRefused("the upload declares 99999999999999999999999 objects, more than the 2 this server accepts in one "
                + "upload", request("upload").line("objects 99999999999999999999999").flush(), SMALL);
        assertRefused("object count '-1' is not a decimal number without sign or leading zeros, in 'objects -1'",
                request("upload").line("objects -1").flush());
        assertRefused("object count '01' is not a decimal number", request("upload").line("objects 01").flush());
        assertRefused("object " + id(2) + " is one more than the 2 objects this server accepts in one upload",
                request("upload").line("object " + id(0) + " 0").line("object " + id(1) + " 0")
                        .line("object " + id(2) + " 0").flush(), SMALL);
        assertRefused("object " + id(1) + " is one more than the 1 the upload declared",
                request("upload").line("objects 1").line("object " + id(0) + " 0").line("object " + id(1) + " 0")
                        .flush());
        assertRefused("the upload declared 2 objects but sent 1",
                request("upload").line("objects 2").line("object " + id(0) + " 0").flush());
        assertRefused("the upload declared 1 objects but sent 0", request("upload").line("objects 1").flush());
        assertRefused("object " + A + " is sent twice in one upload",
                request("upload").line("object " + A + " 1").data(new byte[1]).line("object " + A + " 1")
                        .data(new byte[1]).flush());
        assertRefused("expected an object line or the final flush after object 1 of the upload, got 'objects 1'",
                request("upload").line("object " + A + " 0").line("objects 1").flush());
    }

    @Test
    void objectLengthOverTheLimit() {
        assertRefused("object " + A + " declares 1099511627776 bytes, more than the 68719476736 this server accepts",
                request("upload").line("object " + A + " 1099511627776").flush());
        assertRefused("object " + A + " declares 99999999999999999999999 bytes, more than the 68719476736 this "
                + "server accepts", request("upload").line("object " + A + " 99999999999999999999999").flush());
        assertRefused("object " + A + " declares 1001 bytes, more than the 1000 this server accepts",
                request("upload").line("object " + A + " 1001").flush(), SMALL);
        assertRefused("object length '+5' is not a decimal number", request("upload").line("object " + A + " +5"));
        assertRefused("expected 'object <id> <length>', got 'object " + A + "'",
                request("upload").line("object " + A).flush());
        assertRefused("expected 'object <id> <length>', got 'object " + A + " 5 dense'",
                request("upload").line("object " + A + " 5 dense").flush());
    }

    @Test
    void bodyShorterThanDeclared() {
        assertRefused("a flush packet (0000) inside the body of object " + A + " after 10 of its 20 bytes (the body is "
                + "shorter than declared)", request("upload").line("object " + A + " 20").body(10, 7).flush());
        assertRefused("the request ends where the rest of object " + A + " (10 of 20 bytes received) was expected",
                request("upload").line("object " + A + " 20").body(10, 10));
        assertRefused("a delim packet (0001) inside the body of object " + A + " after 0 of its 20 bytes",
                request("upload").line("object " + A + " 20").delim().line("error gave up").flush());
        assertRefused("an empty data packet inside the body of object " + A,
                request("upload").line("object " + A + " 20").raw("0004").body(20, 20).flush());
        assertRefused("malformed pkt-line in the request where the rest of object " + A + " (3 of 20 bytes received) "
                + "was expected: pkt-line cut short: 2 of 96 payload bytes",
                request("upload").line("object " + A + " 20").body(3, 3).raw("0064ab"));
    }

    @Test
    void bodyLongerThanDeclared() {
        assertRefused("packet crosses the end of object " + A + " (a packet of 30 bytes where 20 of its 20 bytes were "
                + "left)", request("upload").line("object " + A + " 20").body(30, 30).flush());
        assertRefused("packet crosses the end of object " + A + " (a packet of 65516 bytes where 1 of its 65517 bytes "
                + "were left)", request("upload").line("object " + A + " 65517").body(65516 * 2, 65516).flush());
        assertRefused("a line in the request does not end in a newline",
                request("upload").line("object " + A + " 20").body(20, 20).body(5, 5).flush());
    }

    @Test
    void framingErrorsSurfaceFromTheBodyOrFromTheNextObject() throws IOException {
        Wire w = request("upload").line("object " + A + " 20").body(10, 10).flush();
        RequestReader r = new RequestReader(w.input(), TransferLimits.DEFAULTS);
        r.readRequest();
        IncomingObject o = r.nextObject().orElseThrow();
        byte[] buf = new byte[20];
        assertEquals(10, o.body().read(buf));
        TransferProtocolException first = assertThrows(TransferProtocolException.class, () -> o.body().read(buf));
        TransferProtocolException again = assertThrows(TransferProtocolException.class, r::nextObject);
        assertEquals(first.getMessage(), again.getMessage());

        RequestReader skipping = new RequestReader(w.input(), TransferLimits.DEFAULTS);
        skipping.readRequest();
        skipping.nextObject();
        assertThrows(TransferProtocolException.class, skipping::nextObject);
    }

    @Test
    void theReaderNeverReadsPastAnObject() throws IOException {
        byte[] tail = new Wire().line("object " + B + " 0").flush().bytes();
        Wire w = request("upload").line("object " + A + " 3").body(3, 3).raw(tail);
        CountingInput in = new CountingInput(w.bytes());
        RequestReader r = new RequestReader(in, TransferLimits.DEFAULTS);
        r.readRequest();
        IncomingObject o = r.nextObject().orElseThrow();
        assertEquals(3, o.body().readAllBytes().length);
        assertEquals(w.bytes().length - tail.length, in.position());
        assertEquals(B, r.nextObject().orElseThrow().header().id());
        assertEquals(Optional.empty(), r.nextObject());
    }

    @Test
    void misuseIsAProgrammingError() throws IOException {
        RequestReader r = new RequestReader(request("lookup").flush().input(), TransferLimits.DEFAULTS);
        assertThrows(IllegalStateException.class, r::nextObject);
        r.readRequest();
        assertThrows(IllegalStateException.class, r::readRequest);
        assertThrows(IllegalStateException.class, r::nextObject);
    }

    private static Wire copy(Wire w) {
        return new Wire().raw(w.bytes());
    }

    private static TransferRequest read(Wire w, TransferLimits limits) throws IOException {
        RequestReader r = new RequestReader(w.input(), limits);
        TransferRequest request = r.readRequest();
        if (request.command() == Command.UPLOAD) {
            Optional<IncomingObject> o;
            while ((o = r.nextObject()).isPresent()) {
                o.get().body().readAllBytes();
            }
        }
        return request;
    }

    static void assertRefused(String expected, Wire w) {
        assertRefused(expected, w, TransferLimits.DEFAULTS);
    }

    /** The whole request, objects included, is refused with a message that starts with {@code expected}. */
    static void assertRefused(String expected, Wire w, TransferLimits limits) {
        TransferProtocolException e = assertThrows(TransferProtocolException.class, () -> read(w, limits));
        assertTrue(e.getMessage().startsWith(expected), () -> "expected a message starting with\n  " + expected
                + "\nbut got\n  " + e.getMessage());
    }

    /** Counts what the reader takes, to show it stops at an object's end. */
    private static final class CountingInput extends ByteArrayInputStream {
        CountingInput(byte[] bytes) {
            super(bytes);
        }

        int position() {
            return pos;
        }
    }
}
