package io.thetahost.protocol.pktline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Random input never makes the reader fail in an unplanned way or read forever. */
class PacketReaderFuzzTest {
    private static final long SEED = 0x7e7a_4057L;
    private static final int CASES = 20_000;

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void randomInputYieldsOnlyPacketsEndOrMalformedPacket() {
        Random random = new Random(SEED);
        int packets = 0;
        int malformed = 0;
        for (int c = 0; c < CASES; c++) {
            byte[] input = randomInput(random);
            PacketReader reader = new PacketReader(new ByteArrayInputStream(input));
            try {
                // Every read consumes at least four bytes or ends, so this loop is bounded by the input length.
                for (int reads = 0; ; reads++) {
                    if (reads > input.length) {
                        fail("reader did not come to an end on case " + c);
                    }
                    Packet p = reader.require();
                    if (p.isData()) {
                        assertTrue(p.payloadLength() <= Packet.MAX_PAYLOAD);
                    }
                    packets++;
                }
            } catch (MalformedPacketException e) {
                assertTrue(e.consumed().length <= input.length, "consumed more than the input");
                malformed++;
            } catch (EOFException e) {
                // clean end of input
            } catch (IOException | RuntimeException e) {
                throw new AssertionError("case " + c + " threw " + e, e);
            }
        }
        assertTrue(packets > 0, "the generator should produce some valid packets");
        assertTrue(malformed > 0, "the generator should produce some malformed input");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void readingIntoABufferSeesWhatReadingPacketsSees() {
        Random random = new Random(SEED + 1);
        byte[] buffer = new byte[Packet.MAX_PAYLOAD];
        for (int c = 0; c < CASES; c++) {
            byte[] input = randomInput(random);
            List<String> packets = outcome(input, reader -> {
                Packet p = reader.read();
                return p == null ? null : p.type() + " " + Arrays.toString(p.isData() ? p.payload() : new byte[0]);
            });
            List<String> into = outcome(input, reader -> {
                PacketType t = reader.readInto(buffer);
                return t == null ? null : t + " " + Arrays.toString(Arrays.copyOf(buffer, reader.payloadLength()));
            });
            assertEquals(packets, into, "case " + c);
        }
    }

    private interface Step {
        String next(PacketReader reader) throws IOException;
    }

    /** What a reader yields from the input until it ends: each packet, then the end or the malformed bytes. */
    private static List<String> outcome(byte[] input, Step step) {
        PacketReader reader = new PacketReader(new ByteArrayInputStream(input));
        List<String> seen = new ArrayList<>();
        try {
            for (String s; (s = step.next(reader)) != null; ) {
                seen.add(s);
            }
            seen.add("end");
        } catch (MalformedPacketException e) {
            seen.add("malformed " + e.getMessage() + " " + Arrays.toString(e.consumed()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return seen;
    }

    /** Random bytes of length 0..300; about half start with a valid-looking header, special or data. */
    private static byte[] randomInput(Random random) {
        byte[] input = new byte[random.nextInt(301)];
        random.nextBytes(input);
        if (input.length >= 4 && random.nextBoolean()) {
            String header;
            switch (random.nextInt(4)) {
                case 0:
                    header = "000" + random.nextInt(3);
                    break;
                case 1:
                    header = String.format("%04x", 4 + random.nextInt(input.length - 3));
                    break;
                case 2:
                    header = String.format("%04X", random.nextInt(0x10000));
                    break;
                default:
                    header = String.format("%04x", 4 + random.nextInt(400));
                    break;
            }
            System.arraycopy(header.getBytes(StandardCharsets.US_ASCII), 0, input, 0, 4);
        }
        return input;
    }
}
