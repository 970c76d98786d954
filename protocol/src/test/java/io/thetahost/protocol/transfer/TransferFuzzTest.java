package io.thetahost.protocol.transfer;

import static io.thetahost.protocol.transfer.Wire.fill;
import static io.thetahost.protocol.transfer.Wire.id;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.Mutations;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mutated valid requests and responses: the readers either accept them or refuse them with a
 * {@link TransferProtocolException}; nothing else escapes, and nothing hangs.
 */
class TransferFuzzTest {
    private static final long SEED = 0x7e7a_7261_6e73L;
    private static final int CASES = 15_000;
    /** Small enough that mutated counts and lengths meet the limits. */
    private static final TransferLimits LIMITS = new TransferLimits(6, 70_000, 4);
    private static final long[] SIZES = {0, 1, 17, 300, 65517};

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void mutatedRequests() throws IOException {
        List<byte[]> valid = validRequests();
        for (byte[] v : valid) {
            readRequest(v); // the unmutated ones are accepted
        }
        run(valid, TransferFuzzTest::readRequest);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void mutatedResponses() throws IOException {
        List<byte[]> bodies = new ArrayList<>();
        List<Function<InputStream, ResponseReader>> readers = new ArrayList<>();
        validResponses(bodies, readers);
        for (int i = 0; i < bodies.size(); i++) {
            readResponse(readers.get(i).apply(new ByteArrayInputStream(bodies.get(i))));
        }
        Random pick = new Random(SEED + 1);
        int[] which = new int[1];
        run(bodies, bytes -> readResponse(readers.get(which[0]).apply(new ByteArrayInputStream(bytes))), pick, which);
    }

    private interface Reading {
        void read(byte[] input) throws IOException;
    }

    private static void run(List<byte[]> valid, Reading reading) {
        run(valid, reading, new Random(SEED + 2), new int[1]);
    }

    /** Mutates a random valid input CASES times; {@code which[0]} tells the reading which one was chosen. */
    private static void run(List<byte[]> valid, Reading reading, Random random, int[] which) {
        int accepted = 0;
        int refused = 0;
        for (int c = 0; c < CASES; c++) {
            which[0] = random.nextInt(valid.size());
            byte[] input = random.nextBoolean() ? Mutations.mutate(valid.get(which[0]), random)
                    : mutatePackets(valid.get(which[0]), random);
            try {
                reading.read(input);
                accepted++;
            } catch (TransferProtocolException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
                refused++;
            } catch (IOException | RuntimeException | AssertionError e) {
                throw new AssertionError("case " + c + " (input " + which[0] + ") threw " + e + " on "
                        + new String(input, 0, Math.min(input.length, 600), StandardCharsets.ISO_8859_1), e);
            }
        }
        assertTrue(accepted > 0, "some mutations should leave a valid message");
        assertTrue(refused > CASES / 2, "most mutations should be refused");
    }

    /** Changes one packet as a whole: its length header, its presence, its place or its payload's length. */
    private static byte[] mutatePackets(byte[] input, Random random) {
        List<int[]> packets = new ArrayList<>(); // {offset, total length}
        for (int off = 0; off < input.length; ) {
            int len = Integer.parseInt(new String(input, off, 4, StandardCharsets.US_ASCII), 16);
            int total = len < 4 ? 4 : len;
            packets.add(new int[] {off, total});
            off += total;
        }
        int[] p = packets.get(random.nextInt(packets.size()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(input, 0, p[0]);
        switch (random.nextInt(5)) {
            case 0: {
                String[] headers = {"0000", "0001", "0002", "0003", "0004", "fff0", "fff1", "ffff", "FFF0",
                    String.format("%04x", random.nextInt(0x10000))};
                out.writeBytes(headers[random.nextInt(headers.length)].getBytes(StandardCharsets.US_ASCII));
                out.write(input, p[0] + 4, input.length - p[0] - 4);
                break;
            }
            case 1: // drop it
                out.write(input, p[0] + p[1], input.length - p[0] - p[1]);
                break;
            case 2: // repeat it
                out.write(input, p[0], p[1]);
                out.write(input, p[0], input.length - p[0]);
                break;
            case 3: { // cut or grow its payload, keeping its header
                int keep = random.nextInt(p[1] + 8);
                out.write(input, p[0], Math.min(keep, p[1]));
                for (int i = p[1]; i < keep; i++) {
                    out.write('x');
                }
                out.write(input, p[0] + p[1], input.length - p[0] - p[1]);
                break;
            }
            default: // end the input here
                out.write(input, p[0], random.nextInt(p[1] + 1));
                break;
        }
        return out.toByteArray();
    }

    private static void readRequest(byte[] input) throws IOException {
        RequestReader r = new RequestReader(new ByteArrayInputStream(input), LIMITS);
        TransferRequest request = r.readRequest();
        if (request.command() == Command.UPLOAD) {
            Optional<IncomingObject> o;
            int n = 0;
            while ((o = r.nextObject()).isPresent()) {
                // read some whole, leave others to be skipped
                if (n++ % 2 == 0) {
                    o.get().body().readAllBytes();
                }
            }
        }
    }

    /** Reads every event and body; a body the server aborts must be followed by its error. */
    private static void readResponse(ResponseReader r) throws IOException {
        for (int i = 0; i < 1_000_000; i++) {
            ResponseEvent e = r.next();
            if (e instanceof ResponseEvent.EncodedObject o) {
                try {
                    o.body().readAllBytes();
                } catch (TransferProtocolException failure) {
                    if (!(r.next() instanceof ResponseEvent.ServerError)) {
                        throw new AssertionError("a failed body not followed by the error", failure);
                    }
                }
            }
            if (e instanceof ResponseEvent.End) {
                return;
            }
        }
        throw new AssertionError("no end");
    }

    private static List<byte[]> validRequests() throws IOException {
        List<byte[]> requests = new ArrayList<>();
        requests.add(request(TransferRequest.capabilities().withCapability("agent", "theta/0.1")));
        requests.add(request(TransferRequest.lookup(List.of(id(1), id(2), id(3)))));
        requests.add(request(TransferRequest.download(List.of(Want.of(id(1), id(9)), Want.of(id(2))),
                List.of(id(9), id(8)))));
        for (int count = 0; count <= 3; count++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            RequestWriter w = new RequestWriter(out);
            w.start(count % 2 == 0 ? TransferRequest.upload(count) : TransferRequest.upload());
            for (int i = 0; i < count; i++) {
                long size = SIZES[(count + i) % SIZES.length];
                w.beginObject(id(i), size).write(fill(size));
            }
            w.finish();
            requests.add(out.toByteArray());
        }
        return requests;
    }

    private static byte[] request(TransferRequest request) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RequestWriter w = new RequestWriter(out);
        w.start(request);
        w.finish();
        return out.toByteArray();
    }

    private static void validResponses(List<byte[]> bodies, List<Function<InputStream, ResponseReader>> readers)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ResponseWriter w = new ResponseWriter(out);
        w.progress("advertising");
        w.advertise(ServerCapabilities.of(LIMITS).withAgent("thetahost/0.1"));
        w.finish();
        bodies.add(out.toByteArray());
        readers.add(ResponseReader::forCapabilities);

        List<TensorId> ids = List.of(id(1), id(2), id(3));
        out = new ByteArrayOutputStream();
        w = new ResponseWriter(out);
        w.present(id(1), DType.F32, Shape.of(160, 480));
        w.progress("one");
        w.missing(id(2));
        w.present(id(3), DType.BF16, Shape.of());
        w.finish();
        bodies.add(out.toByteArray());
        readers.add(in -> ResponseReader.forLookup(in, ids));

        List<Want> wants = List.of(Want.of(id(1), id(9)), Want.of(id(2)), Want.of(id(3)), Want.of(id(4)));
        out = new ByteArrayOutputStream();
        w = new ResponseWriter(out);
        write(w.object(id(1), WireEncoding.LOW_RANK, id(9), 300), 300);
        w.progress("two");
        write(w.object(id(2), WireEncoding.DENSE, 65517), 65517);
        write(w.object(id(3), WireEncoding.XOR, id(2), 0), 0);
        w.missing(id(4));
        w.finish();
        bodies.add(out.toByteArray());
        readers.add(in -> ResponseReader.forDownload(in, wants, List.of(id(8)), LIMITS));

        out = new ByteArrayOutputStream();
        w = new ResponseWriter(out);
        write(w.object(id(1), WireEncoding.SPARSE, id(9), 17), 17);
        OutputStream cut = w.object(id(2), WireEncoding.DENSE, 40);
        cut.write(fill(20));
        w.error("store failed");
        bodies.add(out.toByteArray());
        readers.add(in -> ResponseReader.forDownload(in, wants, List.of(), LIMITS));

        out = new ByteArrayOutputStream();
        w = new ResponseWriter(out);
        w.stored(id(1));
        w.present(id(2));
        w.rejected(id(3), "decodes to " + id(4) + ", not the declared id");
        w.finish();
        bodies.add(out.toByteArray());
        readers.add(in -> ResponseReader.forUpload(in, ids));
    }

    private static void write(OutputStream body, long size) throws IOException {
        byte[] b = fill(size);
        body.write(Arrays.copyOf(b, b.length));
    }
}
