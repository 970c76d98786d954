package io.thetahost.protocol.transfer;

import static io.thetahost.protocol.transfer.Wire.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The writers hold their callers to declared lengths and counts; requests refuse what no server accepts. */
class WriterContractTest {

    @Test
    void anUploadObjectMustHaveExactlyItsDeclaredBytes() throws IOException {
        RequestWriter w = new RequestWriter(new ByteArrayOutputStream());
        w.start(TransferRequest.upload());
        OutputStream body = w.beginObject(id(1), 5);
        body.write(new byte[4]);
        TransferProtocolException over = assertThrows(TransferProtocolException.class,
                () -> body.write(new byte[2]));
        assertEquals("writing 2 bytes to object " + id(1) + " after 4 would pass its declared length of 5 bytes",
                over.getMessage());
        TransferProtocolException shortClose = assertThrows(TransferProtocolException.class, body::close);
        assertEquals("object " + id(1) + " ended after 4 of its declared 5 bytes", shortClose.getMessage());
        assertThrows(TransferProtocolException.class, () -> w.beginObject(id(2), 0));
        assertThrows(TransferProtocolException.class, w::finish);
    }

    @Test
    void uploadCountsAreKept() throws IOException {
        RequestWriter w = new RequestWriter(new ByteArrayOutputStream());
        w.start(TransferRequest.upload(1));
        w.beginObject(id(1), 0);
        assertThrows(IllegalStateException.class, () -> w.beginObject(id(2), 0));

        RequestWriter fewer = new RequestWriter(new ByteArrayOutputStream());
        fewer.start(TransferRequest.upload(2));
        fewer.beginObject(id(1), 0);
        assertThrows(IllegalStateException.class, fewer::finish);

        RequestWriter twice = new RequestWriter(new ByteArrayOutputStream());
        twice.start(TransferRequest.upload());
        twice.beginObject(id(1), 0);
        assertThrows(IllegalArgumentException.class, () -> twice.beginObject(id(1), 0));
    }

    @Test
    void requestWriterSequence() throws IOException {
        RequestWriter w = new RequestWriter(new ByteArrayOutputStream());
        assertThrows(IllegalStateException.class, w::finish);
        assertThrows(IllegalStateException.class, () -> w.beginObject(id(1), 0));
        w.start(TransferRequest.lookup(List.of(id(1))));
        assertThrows(IllegalStateException.class, () -> w.start(TransferRequest.capabilities()));
        assertThrows(IllegalStateException.class, () -> w.beginObject(id(1), 0));
        w.finish();
        assertThrows(IllegalStateException.class, w::finish);
    }

    @Test
    void aResponseObjectMustHaveExactlyItsDeclaredBytes() throws IOException {
        ResponseWriter w = new ResponseWriter(new ByteArrayOutputStream());
        OutputStream body = w.object(id(1), WireEncoding.DENSE, 3);
        body.write(1);
        assertThrows(TransferProtocolException.class, () -> w.missing(id(2)));
        assertThrows(TransferProtocolException.class, w::finish);
        body.write(new byte[2]);
        assertThrows(TransferProtocolException.class, () -> body.write(9));
        w.missing(id(2));
        w.finish();
        assertThrows(IllegalStateException.class, () -> w.progress("late"));
        assertThrows(IllegalStateException.class, () -> w.error("late"));
    }

    @Test
    void responseHeadersAreChecked() {
        ResponseWriter w = new ResponseWriter(new ByteArrayOutputStream());
        assertThrows(IllegalArgumentException.class, () -> w.object(id(1), WireEncoding.XOR, 3));
        assertThrows(IllegalArgumentException.class, () -> w.object(id(1), WireEncoding.XOR, id(1), 3));
        assertThrows(IllegalArgumentException.class, () -> w.object(id(1), WireEncoding.DENSE, -1));
        assertThrows(IllegalArgumentException.class, () -> w.rejected(id(1), ""));
        assertThrows(IllegalArgumentException.class,
                () -> new EncodedObjectHeader(id(1), WireEncoding.DENSE, Optional.of(id(2)), 3));
    }

    @Test
    void presentWritesTheRawSize() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ResponseWriter w = new ResponseWriter(out);
        w.present(id(1), DType.BF16, Shape.of(3, 0, 2));
        w.present(id(2), DType.F6_E2M3, Shape.of(4));
        w.finish();
        String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(true, text.contains(" BF16 3,0,2 0\n"));
        assertEquals(true, text.contains(" F6_E2M3 4 3\n"));
    }

    @Test
    void requestsRefuseWhatNoServerAccepts() {
        assertThrows(IllegalArgumentException.class, () -> TransferRequest.lookup(List.of(id(1), id(1))));
        assertThrows(IllegalArgumentException.class,
                () -> TransferRequest.download(List.of(Want.of(id(1)), Want.of(id(1), id(2))), List.of()));
        assertThrows(IllegalArgumentException.class, () -> Want.of(id(1), id(1)));
        assertThrows(IllegalArgumentException.class,
                () -> TransferRequest.download(List.of(Want.of(id(1))), List.of(id(1))));
        assertThrows(IllegalArgumentException.class,
                () -> TransferRequest.download(List.of(Want.of(id(1), id(2)), Want.of(id(2))), List.of()));
        assertThrows(IllegalArgumentException.class, () -> TransferRequest.capabilities().withCapability("command",
                "x"));
        assertThrows(IllegalArgumentException.class, () -> TransferRequest.capabilities().withCapability("A", "x"));
        assertThrows(IllegalArgumentException.class, () -> TransferRequest.capabilities().withCapability("a", ""));
        assertThrows(IllegalArgumentException.class, () -> TransferRequest.capabilities().withCapability("a", "x y"));
        assertThrows(IllegalArgumentException.class, () -> TransferRequest.upload(-1));
        assertThrows(IllegalArgumentException.class, () -> new TransferRequest(2, Command.LOOKUP, Map.of(),
                List.of(), List.of(), List.of(), OptionalLong.empty()));
        assertThrows(IllegalArgumentException.class, () -> new TransferRequest(1, Command.LOOKUP, Map.of(),
                List.of(), List.of(), List.of(id(1)), OptionalLong.empty()));
        assertThrows(IllegalArgumentException.class, () -> new TransferLimits(0, 1, 1));
    }

    @Test
    void commandsAndEncodingsByName() {
        for (Command c : Command.values()) {
            assertEquals(Optional.of(c), Command.byWireName(c.wireName()));
        }
        for (WireEncoding e : WireEncoding.values()) {
            assertEquals(Optional.of(e), WireEncoding.byWireName(e.wireName()));
            assertEquals(e != WireEncoding.DENSE, e.needsBase());
        }
        assertEquals(Optional.empty(), Command.byWireName("Upload"));
        assertEquals(true, Command.UPLOAD.writes());
        assertEquals(false, Command.DOWNLOAD.writes());
    }
}
