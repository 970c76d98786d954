package io.thetahost.protocol.transfer;

import static io.thetahost.protocol.transfer.Wire.fill;
import static io.thetahost.protocol.transfer.Wire.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Every command through client writer, server reader, server writer and client reader. */
class TransferRoundTripTest {
    /** Body sizes at the packet edges: empty, one byte, one full packet, one byte more, and about a megabyte. */
    private static final long[] SIZES = {0, 1, 65516, 65517, 1_048_583};

    @Test
    void capabilities() throws IOException {
        TransferRequest sent = TransferRequest.capabilities().withCapability("agent", "theta/0.1");
        TransferRequest received = serverReads(clientWrites(sent));
        assertEquals(sent, received);
        assertEquals(Map.of("agent", "theta/0.1"), received.clientCapabilities());

        ServerCapabilities advertised = new ServerCapabilities(EnumSet.allOf(Command.class),
                EnumSet.allOf(WireEncoding.class), new TransferLimits(500, 1L << 36, 300), Optional.empty(), 3)
                .withAgent("thetahost/0.1");
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        ResponseWriter w = new ResponseWriter(response);
        w.progress("hello");
        w.advertise(advertised);
        w.finish();

        ResponseReader r = ResponseReader.forCapabilities(new ByteArrayInputStream(response.toByteArray()));
        assertEquals(new ResponseEvent.Progress("hello"), r.next());
        assertEquals(new ResponseEvent.Capabilities(advertised), r.next());
        assertEquals(new ResponseEvent.End(), r.next());
        assertEquals(new ResponseEvent.End(), r.next());
    }

    @Test
    void capabilitiesResponseIsTheDocumentedText() throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        ResponseWriter w = new ResponseWriter(response);
        w.advertise(ServerCapabilities.of(TransferLimits.DEFAULTS));
        w.finish();
        assertEquals("0015theta-transfer 1\n000eversion 1\n"
                + "0031commands capabilities lookup download upload\n"
                + "0037encodings dense xor sparse low-rank sparse-ternary\n"
                + "0021max-object-bytes 68719476736\n0012max-ids 10000\n0016max-objects 10000\n0011want-bases 4\n"
                + "0000",
                response.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void lookupWithProgressBetweenEveryLine() throws IOException {
        List<TensorId> ids = List.of(id(1), id(2), id(3), id(4));
        TransferRequest sent = TransferRequest.lookup(ids);
        TransferRequest received = serverReads(clientWrites(sent));
        assertEquals(ids, received.ids());
        assertEquals(Command.LOOKUP, received.command());

        ByteArrayOutputStream response = new ByteArrayOutputStream();
        ResponseWriter w = new ResponseWriter(response);
        w.progress("looking up 4 tensors");
        w.present(id(1), DType.F32, Shape.of(160, 480));
        w.progress("");
        w.missing(id(2));
        w.present(id(3), DType.BF16, Shape.of());
        w.progress("nearly there");
        w.present(id(4), DType.F4, Shape.of(2, 0, 8));
        w.progress("done");
        w.finish();

        ResponseReader r = ResponseReader.forLookup(new ByteArrayInputStream(response.toByteArray()), ids);
        assertEquals(new ResponseEvent.Progress("looking up 4 tensors"), r.next());
        assertEquals(new ResponseEvent.Present(id(1), DType.F32, Shape.of(160, 480), 307200), r.next());
        assertEquals(new ResponseEvent.Progress(""), r.next());
        assertEquals(new ResponseEvent.Missing(id(2)), r.next());
        assertEquals(new ResponseEvent.Present(id(3), DType.BF16, Shape.of(), 2), r.next());
        assertEquals(new ResponseEvent.Progress("nearly there"), r.next());
        assertEquals(new ResponseEvent.Present(id(4), DType.F4, Shape.of(2, 0, 8), 0), r.next());
        assertEquals(new ResponseEvent.Progress("done"), r.next());
        assertEquals(new ResponseEvent.End(), r.next());
    }

    @Test
    void scalarShapeIsAnEmptyField() throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        ResponseWriter w = new ResponseWriter(response);
        w.present(id(1), DType.F64, Shape.of());
        w.finish();
        assertTrue(response.toString(java.nio.charset.StandardCharsets.UTF_8).contains(" F64  8\n"));
    }

    @Test
    void downloadOfEveryBodySizeWithProgressBetweenObjects() throws IOException {
        List<Want> wants = new ArrayList<>();
        for (int i = 0; i < SIZES.length; i++) {
            wants.add(i % 3 == 0 ? Want.of(id(10 + i)) : i % 3 == 1 ? Want.of(id(10 + i), id(100 + i))
                    : Want.of(id(10 + i), List.of(id(100 + i), id(300 + i), id(400 + i))));
        }
        wants.add(Want.of(id(99)));
        List<TensorId> haves = List.of(id(200), id(201));
        TransferRequest sent = TransferRequest.download(wants, haves).withCapability("agent", "theta/0.1");
        TransferRequest received = serverReads(clientWrites(sent));
        assertEquals(sent, received);

        ByteArrayOutputStream response = new ByteArrayOutputStream();
        ResponseWriter w = new ResponseWriter(response);
        for (int i = 0; i < SIZES.length; i++) {
            w.progress("sending " + (i + 1) + " of " + SIZES.length);
            OutputStream body;
            switch (i % 3) {
                case 0:
                    body = w.object(id(10 + i), WireEncoding.DENSE, SIZES[i]);
                    break;
                case 1:
                    // a patch against the want's own base, or a have
                    body = w.object(id(10 + i), WireEncoding.LOW_RANK, i == 1 ? id(101) : id(200), SIZES[i]);
                    break;
                default:
                    // a patch against an object sent earlier in this response
                    body = w.object(id(10 + i), WireEncoding.XOR, id(10 + i - 1), SIZES[i]);
                    break;
            }
            writeInPieces(body, fill(SIZES[i]));
        }
        w.missing(id(99));
        w.finish();

        ResponseReader r = ResponseReader.forDownload(new ByteArrayInputStream(response.toByteArray()), wants, haves,
                TransferLimits.DEFAULTS);
        for (int i = 0; i < SIZES.length; i++) {
            assertEquals(new ResponseEvent.Progress("sending " + (i + 1) + " of " + SIZES.length), r.next());
            ResponseEvent.EncodedObject o = assertInstanceOf(ResponseEvent.EncodedObject.class, r.next());
            assertEquals(id(10 + i), o.header().id());
            assertEquals(SIZES[i], o.header().length());
            assertEquals(i % 3 == 0, o.header().base().isEmpty());
            assertArrayEquals(fill(SIZES[i]), o.body().readAllBytes(), "body of size " + SIZES[i]);
            assertEquals(-1, o.body().read());
            assertEquals(0, o.body().remaining());
        }
        assertEquals(new ResponseEvent.Missing(id(99)), r.next());
        assertEquals(new ResponseEvent.End(), r.next());
    }

    @Test
    void uploadOfEveryBodySize() throws IOException {
        List<TensorId> ids = new ArrayList<>();
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        RequestWriter cw = new RequestWriter(request);
        cw.start(TransferRequest.upload(SIZES.length));
        for (int i = 0; i < SIZES.length; i++) {
            ids.add(id(i));
            try (OutputStream body = cw.beginObject(id(i), SIZES[i])) {
                writeInPieces(body, fill(SIZES[i]));
            }
        }
        cw.finish();

        RequestReader sr = new RequestReader(new ByteArrayInputStream(request.toByteArray()), TransferLimits.DEFAULTS);
        TransferRequest received = sr.readRequest();
        assertEquals(Command.UPLOAD, received.command());
        assertEquals(OptionalLong.of(SIZES.length), received.objectCount());
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        ResponseWriter w = new ResponseWriter(response);
        for (int i = 0; i < SIZES.length; i++) {
            IncomingObject o = sr.nextObject().orElseThrow();
            assertEquals(new ObjectHeader(id(i), SIZES[i]), o.header());
            assertArrayEquals(fill(SIZES[i]), o.body().readAllBytes());
            if (i == 1) {
                w.rejected(id(i), "its base sha256:00 is not available\nthrough this repository");
            } else if (i == 2) {
                w.present(id(i));
            } else {
                w.stored(id(i));
            }
        }
        assertEquals(Optional.empty(), sr.nextObject());
        assertEquals(Optional.empty(), sr.nextObject());
        w.finish();

        ResponseReader r = ResponseReader.forUpload(new ByteArrayInputStream(response.toByteArray()), ids);
        assertEquals(new ResponseEvent.Stored(id(0)), r.next());
        assertEquals(new ResponseEvent.Rejected(id(1), "its base sha256:00 is not available through this repository"),
                r.next());
        assertEquals(new ResponseEvent.AlreadyPresent(id(2)), r.next());
        assertEquals(new ResponseEvent.Stored(id(3)), r.next());
        assertEquals(new ResponseEvent.Stored(id(4)), r.next());
        assertEquals(new ResponseEvent.End(), r.next());
    }

    @Test
    void uploadWithoutACountAndBodiesLeftUnread() throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        RequestWriter cw = new RequestWriter(request);
        cw.start(TransferRequest.upload());
        for (int i = 0; i < 3; i++) {
            cw.beginObject(id(i), 200_000).write(fill(200_000));
        }
        cw.finish();

        RequestReader sr = new RequestReader(new ByteArrayInputStream(request.toByteArray()), TransferLimits.DEFAULTS);
        assertEquals(OptionalLong.empty(), sr.readRequest().objectCount());
        IncomingObject first = sr.nextObject().orElseThrow();
        byte[] start = new byte[10];
        assertEquals(10, first.body().read(start));
        assertEquals(199_990, first.body().remaining());
        // the second is skipped untouched, the third read whole
        assertEquals(id(1), sr.nextObject().orElseThrow().header().id());
        IncomingObject third = sr.nextObject().orElseThrow();
        assertArrayEquals(fill(200_000), third.body().readAllBytes());
        assertEquals(Optional.empty(), sr.nextObject());
    }

    @Test
    void emptyUploadsAndEmptyLists() throws IOException {
        for (TransferRequest sent : List.of(TransferRequest.upload(), TransferRequest.upload(0),
                TransferRequest.lookup(List.of()), TransferRequest.download(List.of(), List.of()))) {
            RequestReader sr = new RequestReader(new ByteArrayInputStream(clientWrites(sent)), TransferLimits.DEFAULTS);
            assertEquals(sent, sr.readRequest());
            if (sent.command() == Command.UPLOAD) {
                assertEquals(Optional.empty(), sr.nextObject());
            }
        }
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        new ResponseWriter(response).finish();
        assertEquals("0015theta-transfer 1\n0000", response.toString(java.nio.charset.StandardCharsets.UTF_8));
        ResponseReader r = ResponseReader.forUpload(new ByteArrayInputStream(response.toByteArray()), List.of());
        assertEquals(new ResponseEvent.End(), r.next());
    }

    @Test
    void downloadBodiesLeftUnreadAreSkipped() throws IOException {
        List<Want> wants = List.of(Want.of(id(1)), Want.of(id(2)));
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        ResponseWriter w = new ResponseWriter(response);
        w.object(id(1), WireEncoding.DENSE, 300_000).write(fill(300_000));
        w.object(id(2), WireEncoding.SPARSE_TERNARY, id(1), 5).write(fill(5));
        w.finish();
        ResponseReader r = ResponseReader.forDownload(new ByteArrayInputStream(response.toByteArray()), wants,
                List.of(), TransferLimits.DEFAULTS);
        ResponseEvent.EncodedObject first = assertInstanceOf(ResponseEvent.EncodedObject.class, r.next());
        assertEquals(77, first.body().skip(77));
        ResponseEvent.EncodedObject second = assertInstanceOf(ResponseEvent.EncodedObject.class, r.next());
        assertEquals(WireEncoding.SPARSE_TERNARY, second.header().encoding());
        assertEquals(Optional.of(id(1)), second.header().base());
        assertEquals(new ResponseEvent.End(), r.next());
    }

    @Test
    void errorResponseEndsTheExchange() throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        ResponseWriter w = new ResponseWriter(response);
        w.present(id(1), DType.U8, Shape.of(3));
        w.error("the tensor store is\tread-only");
        assertTrue(w.isFinished());
        ResponseReader r = ResponseReader.forLookup(new ByteArrayInputStream(response.toByteArray()),
                List.of(id(1), id(2)));
        assertInstanceOf(ResponseEvent.Present.class, r.next());
        assertEquals(new ResponseEvent.ServerError("the tensor store is read-only"), r.next());
        assertEquals(new ResponseEvent.End(), r.next());
    }

    @Test
    void refusedVersionIsAnsweredInBand() throws IOException {
        byte[] request = new Wire().line("theta-transfer 2").line("command=capabilities").delim().flush().bytes();
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        ResponseWriter w = new ResponseWriter(response);
        try {
            new RequestReader(new ByteArrayInputStream(request), TransferLimits.DEFAULTS).readRequest();
        } catch (TransferProtocolException e) {
            w.error(e.getMessage());
        }
        ResponseReader r = ResponseReader.forCapabilities(new ByteArrayInputStream(response.toByteArray()));
        ResponseEvent.ServerError error = assertInstanceOf(ResponseEvent.ServerError.class, r.next());
        assertEquals("unsupported protocol version '2': this server speaks theta-transfer 1", error.message());
    }

    @Test
    void serverAbortsAnObjectMidBody() throws IOException {
        List<Want> wants = List.of(Want.of(id(1)), Want.of(id(2)));
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        ResponseWriter w = new ResponseWriter(response);
        OutputStream body = w.object(id(1), WireEncoding.DENSE, 100_000);
        body.write(fill(70_000));
        w.error("reading sha256:01... from the store failed: checksum mismatch");
        assertTrue(w.isFinished());

        // The caller reading the body learns why it stopped, and the next event is the error.
        ResponseReader r = ResponseReader.forDownload(new ByteArrayInputStream(response.toByteArray()), wants,
                List.of(), TransferLimits.DEFAULTS);
        ResponseEvent.EncodedObject o = assertInstanceOf(ResponseEvent.EncodedObject.class, r.next());
        TransferProtocolException e = assertThrows(TransferProtocolException.class, () -> o.body().readAllBytes());
        assertEquals("the server aborted object " + id(1) + " after 70000 of 100000 bytes: reading sha256:01... from "
                + "the store failed: checksum mismatch", e.getMessage());
        assertEquals(new ResponseEvent.ServerError("reading sha256:01... from the store failed: checksum mismatch"),
                r.next());
        assertEquals(new ResponseEvent.End(), r.next());

        // A caller that never reads the body gets the error as the next event.
        r = ResponseReader.forDownload(new ByteArrayInputStream(response.toByteArray()), wants, List.of(),
                TransferLimits.DEFAULTS);
        assertInstanceOf(ResponseEvent.EncodedObject.class, r.next());
        assertInstanceOf(ResponseEvent.ServerError.class, r.next());
        assertEquals(new ResponseEvent.End(), r.next());
    }

    @Test
    void requestWireFormatIsTheDocumentedText() throws IOException {
        TransferRequest download = TransferRequest.download(List.of(Want.of(id(1), id(2)), Want.of(id(3))),
                List.of(id(2))).withCapability("agent", "theta/0.1");
        String text = new String(clientWrites(download), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("0015theta-transfer 1\n0015command=download\n0014agent=theta/0.1\n0001"
                + "009ewant " + id(1) + " base " + id(2) + "\n"
                + "0051want " + id(3) + "\n"
                + "0051have " + id(2) + "\n"
                + "0000", text);
    }

    @Test
    void freeTextIsCutToOneLine() throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        ResponseWriter w = new ResponseWriter(response);
        w.progress("\u00e9".repeat(40_000));
        w.finish();
        ResponseReader r = ResponseReader.forLookup(new ByteArrayInputStream(response.toByteArray()), List.of());
        ResponseEvent.Progress p = assertInstanceOf(ResponseEvent.Progress.class, r.next());
        assertEquals((65516 - "progress ".length() - 1) / 2, p.text().length());
        assertEquals(new ResponseEvent.End(), r.next());
    }

    @Test
    void offeredBasesAreHavesAndWantBases() {
        TransferRequest download = TransferRequest.download(List.of(Want.of(id(1), id(2)), Want.of(id(3))),
                List.of(id(4)));
        assertEquals(java.util.Set.of(id(2), id(4)), download.offeredBases());
        assertFalse(download.offeredBases().contains(id(3)));
    }

    private static byte[] clientWrites(TransferRequest request) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RequestWriter w = new RequestWriter(out);
        w.start(request);
        w.finish();
        return out.toByteArray();
    }

    private static TransferRequest serverReads(byte[] request) throws IOException {
        return new RequestReader(new ByteArrayInputStream(request), TransferLimits.DEFAULTS).readRequest();
    }

    /** Writes in uneven pieces, single bytes included, so the framing meets every buffer state. */
    private static void writeInPieces(OutputStream out, byte[] bytes) throws IOException {
        int off = 0;
        int step = 1;
        while (off < bytes.length) {
            int n = Math.min(step, bytes.length - off);
            if (n == 1) {
                out.write(bytes[off]);
            } else {
                out.write(bytes, off, n);
            }
            off += n;
            step = step * 7 % 100_003 + 1;
        }
    }
}
