package io.thetahost.conformance.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.KindEncoders;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Curl;
import io.thetahost.conformance.support.SharedDaemon;
import io.thetahost.conformance.support.Transport;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import io.thetahost.protocol.transfer.RequestWriter;
import io.thetahost.protocol.transfer.TransferRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hostile theta transfer requests at the real daemon: each gets a clear error (a whole request) or a clear
 * per-object rejection (one object), the store keeps nothing of it, and the daemon goes on serving.
 */
class HostileTransferTest extends SharedDaemon {
    static final String REPO = "alice/hostile";

    @BeforeAll
    static void setUp() {
        server.admin("repo", "create", REPO).assertOk();
    }

    /** After every case the store is whole. */
    @AfterEach
    void storeStaysClean() {
        Cmd.Result fsck = server.admin("fsck");
        assertEquals(0, fsck.exit(), fsck.all());
    }

    /** Sends raw request bytes as the transport would, and returns the raw response (and any refusal). */
    static String exchange(Transport transport, byte[] request) throws IOException {
        if (transport == Transport.SSH) {
            Cmd.Result r = alice.ssh("127.0.0.1", "theta-transfer '/" + REPO + ".git'").stdin(request).run();
            return r.out() + r.err();
        }
        Path body = Files.createTempFile(SharedDaemon.base, "request-", ".bin");
        Files.write(body, request);
        Curl.Response r = Curl.run("-u", "alice:" + alice.token(), "-H",
                "Content-Type: application/x-theta-transfer-request", "--data-binary", "@" + body,
                "http://127.0.0.1:" + server.httpPort() + "/" + REPO + ".git/theta-transfer");
        assertEquals(200, r.status(), r.body());
        return r.body();
    }

    static byte[] upload(List<byte[]> encodings, List<TensorId> declared) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RequestWriter w = new RequestWriter(out);
        w.start(TransferRequest.upload(encodings.size()));
        for (int i = 0; i < encodings.size(); i++) {
            OutputStream o = w.beginObject(declared.get(i), encodings.get(i).length);
            o.write(encodings.get(i));
            o.close();
        }
        w.finish();
        return out.toByteArray();
    }

    static byte[] lookup(TensorId... ids) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RequestWriter w = new RequestWriter(out);
        w.start(TransferRequest.lookup(List.of(ids)));
        w.finish();
        return out.toByteArray();
    }

    static byte[] randomFloats(int n, long seed) {
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            b.putFloat((float) r.nextGaussian());
        }
        return b.array();
    }

    static byte[] dense(DType dtype, Shape shape, byte[] raw, TensorId declared) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new KindEncoders(EncoderOptions.defaults()).dense(TensorInput.of(dtype, shape, raw), declared, out);
        return out.toByteArray();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void malformedPacketsEndTheRequestWithAClearError(Transport transport) throws IOException {
        String truncated = exchange(transport, "0032theta-trans".getBytes(StandardCharsets.US_ASCII));
        assertTrue(truncated.contains("error "), truncated);
        String oversized = exchange(transport, ("ffff" + "x".repeat(100)).getBytes(StandardCharsets.US_ASCII));
        assertTrue(oversized.contains("error ") && oversized.contains("65535"), oversized);
        String version = exchange(transport, "0015theta-transfer 9\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(version.contains("error "), version);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void badObjectsAreRejectedOneByOneAndNothingOfThemIsKept(Transport transport) throws IOException {
        long seed = transport.ordinal() * 100;
        // A base to patch against, uploaded in the same request.
        byte[] baseRaw = randomFloats(6, seed + 1);
        Shape wide = Shape.of(3, 2);
        TensorId baseId = TensorId.of(DType.F32, wide, baseRaw);
        byte[] base = dense(DType.F32, wide, baseRaw, baseId);

        // A patch declaring a 2 x 3 target against that 3 x 2 base: shapes that do not match.
        byte[] targetRaw = randomFloats(6, seed + 2);
        Shape tall = Shape.of(2, 3);
        TensorId targetId = TensorId.of(DType.F32, tall, targetRaw);
        ByteArrayOutputStream patch = new ByteArrayOutputStream();
        new KindEncoders(EncoderOptions.defaults()).xor(TensorInput.of(DType.F32, tall, targetRaw), targetId,
                TensorInput.of(DType.F32, tall, baseRaw), baseId, patch);

        // An encoding that names another tensor than the one it holds.
        byte[] lyingRaw = randomFloats(8, seed + 3);
        TensorId claimed = TensorId.of(DType.F32, Shape.of(8), randomFloats(8, seed + 4));
        byte[] lying = dense(DType.F32, Shape.of(8), lyingRaw, claimed);

        // A decompression bomb: a section of 4096 bytes whose zstd frame holds 100 MB.
        TensorId bombId = TensorId.of(DType.F32, Shape.of(1024), new byte[4096]);
        byte[] bomb = bomb(bombId);

        String response = exchange(transport, upload(List.of(base, patch.toByteArray(), lying, bomb),
                List.of(baseId, targetId, claimed, bombId)));
        assertTrue(response.contains("stored " + baseId) || response.contains("present " + baseId), response);
        assertTrue(response.contains("rejected " + targetId) && response.contains("names a base that is F32 [3, 2]"),
                response);
        assertTrue(response.contains("rejected " + claimed) && response.contains("not " + claimed), response);
        assertTrue(response.contains("rejected " + bombId) && response.contains("100000000"), response);

        String lookup = exchange(transport, lookup(targetId, claimed, bombId));
        assertTrue(lookup.contains("missing " + targetId) && lookup.contains("missing " + claimed)
                && lookup.contains("missing " + bombId), lookup);
    }

    /** A dense F32 [1024] encoding whose only section is a zstd frame of 100 MB of zeros, declared as 4096 bytes. */
    static byte[] bomb(TensorId id) {
        byte[] frame = Zstd.compress(new byte[100_000_000], 19);
        ByteBuffer b = ByteBuffer.allocate(200 + frame.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("TENC".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0).put((byte) DType.F32.code())
                .put((byte) 1).putLong(1024);
        b.put(id.digest()).put(new byte[32]).putLong(1024).putInt(0).putInt(0);
        b.putInt(0);
        b.putInt(1).put((byte) 1).put((byte) 1).putLong(4096).putLong(frame.length).put(frame);
        b.put("TEND".getBytes(StandardCharsets.US_ASCII));
        return java.util.Arrays.copyOf(b.array(), b.position());
    }
}
