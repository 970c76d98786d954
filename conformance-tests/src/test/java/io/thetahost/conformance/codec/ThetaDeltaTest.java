package io.thetahost.conformance.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code bin/theta delta} on the real fixtures, as a user runs it, read through its --json output. */
@Timeout(600)
class ThetaDeltaTest {

    /** What --json says: the totals and, per tensor, its encoding. */
    record Report(long targetBytes, long totalBytes, boolean verified, Map<String, String> encodings,
            Map<String, Long> bytes) {
    }

    static Report delta(String... args) throws IOException {
        String[] cmd = new String[args.length + 3];
        cmd[0] = Fixtures.binTheta().toString();
        cmd[1] = "delta";
        System.arraycopy(args, 0, cmd, 2, args.length);
        cmd[cmd.length - 1] = "--json";
        Cmd.Result r = Cmd.of(cmd).run().assertOk();
        return parse(r.out());
    }

    static Report parse(String json) throws IOException {
        long target = -1;
        long total = -1;
        boolean verified = false;
        Map<String, String> encodings = new HashMap<>();
        Map<String, Long> bytes = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "target_bytes" -> target = p.getLongValue();
                    case "total_bytes" -> total = p.getLongValue();
                    case "verified" -> verified = p.getBooleanValue();
                    case "tensors" -> {
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            String name = null;
                            String encoding = null;
                            long size = -1;
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String f = p.currentName();
                                p.nextToken();
                                switch (f) {
                                    case "name" -> name = p.getText();
                                    case "encoding" -> encoding = p.getText();
                                    case "bytes" -> size = p.getLongValue();
                                    default -> p.skipChildren();
                                }
                            }
                            encodings.put(name, encoding);
                            bytes.put(name, size);
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        }
        return new Report(target, total, verified, encodings, bytes);
    }

    @Test
    void loraUpdateWithTheAdapterIsSentAsFactors() throws IOException {
        Report r = delta(Fixtures.checkpoint("base.safetensors").toString(),
                Fixtures.checkpoint("lora_merged.safetensors").toString(),
                "--adapter", Fixtures.checkpoint("adapter_model.safetensors").toString());
        assertTrue(r.verified());
        assertEquals(Files.size(Fixtures.checkpoint("lora_merged.safetensors")), r.targetBytes());
        long lowRank = r.encodings().values().stream().filter("low-rank"::equals).count();
        long unchanged = r.encodings().values().stream().filter("unchanged"::equals).count();
        assertEquals(12, lowRank, r.encodings().toString());
        assertEquals(40, unchanged);
        // The factors alone are 0.23 MB; a generic xor+zstd delta of this update is about 3.0 MB.
        assertTrue(r.totalBytes() < 1_000_000, "encodings total " + r.totalBytes());
        assertEquals(r.totalBytes(), r.bytes().values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void loraUpdateWithoutTheAdapterIsFoundByRankDetection() throws IOException {
        Report r = delta(Fixtures.checkpoint("base.safetensors").toString(),
                Fixtures.checkpoint("lora_merged.safetensors").toString());
        assertTrue(r.verified());
        assertEquals(12, r.encodings().values().stream().filter("low-rank"::equals).count(), r.encodings().toString());
        assertTrue(r.totalBytes() < 1_000_000, "encodings total " + r.totalBytes());
    }

    @Test
    void identicalCheckpointsCostNothing() throws IOException {
        Report r = delta(Fixtures.checkpoint("base.safetensors").toString(),
                Fixtures.checkpoint("base.safetensors").toString());
        assertTrue(r.verified());
        assertEquals(0, r.totalBytes());
        assertTrue(r.encodings().values().stream().allMatch("unchanged"::equals));
    }

    @Test
    void aCheckpointAloneIsEncodedDenseAndSmaller() throws IOException {
        Report r = delta("-", Fixtures.checkpoint("base_bf16.safetensors").toString());
        assertTrue(r.verified());
        assertTrue(r.encodings().values().stream().allMatch("dense"::equals));
        assertTrue(r.totalBytes() < r.targetBytes() * 0.75, r.totalBytes() + " of " + r.targetBytes());
    }

    @Test
    void aFileThatIsNotACheckpointIsRefusedClearly() throws IOException {
        java.nio.file.Path bogus = Files.createTempFile("not-a-checkpoint", ".safetensors");
        Files.writeString(bogus, "hello, this is not safetensors");
        Cmd.Result r = Cmd.of(Fixtures.binTheta().toString(), "delta", "-", bogus.toString()).run();
        r.assertFailed();
        assertTrue(r.err().startsWith("theta: "), r.err());
        assertTrue(!r.err().contains("Exception"), r.err());
    }
}
