package io.thetahost.conformance.workflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.CheckpointFiles;
import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import io.thetahost.conformance.support.ModelRepo;
import io.thetahost.conformance.support.SharedDaemon;
import io.thetahost.conformance.support.Transport;
import io.thetahost.protocol.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * theta add with a sparse delta file and a sparse-ternary mask file: the checkpoint written is the canonical apply,
 * the push sends the changed elements only, another clone gets the same bytes, and update files that do not fit the
 * checkpoint are refused by name with nothing changed.
 */
class UpdateKindsTest extends SharedDaemon {
    private static final String MODEL = "model.safetensors";
    private static final String FC0 = "transformer.h.0.mlp.c_fc.weight";
    private static final String FC1 = "transformer.h.1.mlp.c_fc.weight";
    private static final String LN = "transformer.ln_f.bias";

    @Test
    void sparseAndSparseTernaryUpdatesSendOnlyTheChangedElements() throws Exception {
        server.admin("repo", "create", "alice/updates").assertOk();
        String url = alice.url(Transport.SSH, "alice/updates");
        Path work = Files.createTempDirectory(SharedDaemon.base, "updates-");
        alice.git(work, "clone", url, "a").assertOk();
        ModelRepo a = new ModelRepo(alice, work.resolve("a"), Map.of());
        a.theta("install").assertOk();
        a.theta("track", MODEL).assertOk();
        Files.copy(Fixtures.checkpoint("base.safetensors"), a.file(MODEL));
        a.git("add", MODEL).assertOk();
        a.git("commit", "-m", "base").assertOk();
        a.git("push", "origin", "HEAD:main").assertOk();
        CheckpointFiles base = CheckpointFiles.read(a.file(MODEL));

        // Sparse: a delta file, zero except at a few elements of two tensors.
        float[] fcDelta = new float[160 * 640];
        for (int i = 0; i < fcDelta.length; i += 1000) {
            fcDelta[i] = 0.01f;
        }
        float[] lnDelta = new float[160];
        lnDelta[3] = -0.5f;
        lnDelta[77] = 0.25f;
        Path delta = work.resolve("delta.safetensors");
        Files.write(delta, CheckpointFiles.write(List.of(
                new CheckpointFiles.Tensor(FC0, DType.F32, new long[] {160, 640}, CheckpointFiles.f32(fcDelta)),
                new CheckpointFiles.Tensor(LN, DType.F32, new long[] {160}, CheckpointFiles.f32(lnDelta)))));
        Cmd.Result sparse = a.theta("add", MODEL, "--update", "sparse", "--delta", delta.toString()).assertOk();
        assertTrue(sparse.err().contains("applied the sparse update to 2 of 52 tensors"), sparse.err());
        byte[] expected = CheckpointFiles.of(base.withFloats(FC0, w -> added(w, fcDelta)))
                .withFloats(LN, w -> added(w, lnDelta));
        assertArrayEquals(expected, Files.readAllBytes(a.file(MODEL)), "base + delta where the delta is not zero");
        a.git("commit", "-m", "sparse").assertOk();
        int logged = server.requestLog().size();
        Cmd.Result push = a.git("push", "origin", "HEAD:main").assertOk();
        assertTrue(push.err().contains("theta: uploaded 2 tensors (50 already there)"), push.err());
        ModelRepo.Wire wire = ModelRepo.wireSince(server, logged);
        assertTrue(wire.theta() < 20_000, "the sparse push sent " + wire.theta() + " bytes of tensors for 105 "
                + "changed elements");
        System.out.println("sparse push: " + wire.total() + " bytes on the wire (" + wire.theta() + " theta)");

        // Sparse-ternary: a mask of -1, 0 and +1 on one tensor, each change 0.001.
        byte[] mask = new byte[160 * 640];
        for (int i = 0; i < mask.length; i += 50) {
            mask[i] = (byte) ((i / 50) % 2 == 0 ? 1 : -1);
        }
        Path maskFile = work.resolve("mask.safetensors");
        Files.write(maskFile, CheckpointFiles.write(List.of(
                new CheckpointFiles.Tensor(FC1, DType.I8, new long[] {160, 640}, mask))));
        CheckpointFiles before = CheckpointFiles.read(a.file(MODEL));
        Cmd.Result ternary = a.theta("add", MODEL, "--update", "sparse-ternary", "--mask", maskFile.toString(),
                "--scale", "0.001").assertOk();
        assertTrue(ternary.err().contains("applied the sparse-ternary update to 1 of 52 tensors"), ternary.err());
        float[] w = before.floats(FC1);
        float[] out = w.clone();
        for (int i = 0; i < w.length; i++) {
            if (mask[i] != 0) {
                out[i] = w[i] + (mask[i] == 1 ? 0.001f : -0.001f);
            }
        }
        assertArrayEquals(before.withFloats(FC1, x -> out), Files.readAllBytes(a.file(MODEL)),
                "base + 0.001 x mask");
        a.git("commit", "-m", "ternary").assertOk();
        logged = server.requestLog().size();
        push = a.git("push", "origin", "HEAD:main").assertOk();
        assertTrue(push.err().contains("theta: uploaded 1 tensors (51 already there)"), push.err());
        wire = ModelRepo.wireSince(server, logged);
        assertTrue(wire.theta() < 20_000, "the sparse-ternary push sent " + wire.theta() + " bytes of tensors for "
                + "2,048 changed elements");
        System.out.println("sparse-ternary push: " + wire.total() + " bytes on the wire (" + wire.theta() + " theta)");

        alice.git(work, "clone", url, "b").assertOk();
        assertEquals(-1L, Files.mismatch(a.file(MODEL), work.resolve("b").resolve(MODEL)));

        // Update files that do not fit are refused by name, and nothing changes.
        byte[] now = Files.readAllBytes(a.file(MODEL));
        Path wrongShape = work.resolve("wrong-shape.safetensors");
        Files.write(wrongShape, CheckpointFiles.write(List.of(
                new CheckpointFiles.Tensor(LN, DType.F32, new long[] {80}, new byte[320]))));
        assertTrue(a.theta("add", MODEL, "--update", "sparse", "--delta", wrongShape.toString()).assertFailed().err()
                .contains(LN + ": its shape [80] is not the checkpoint's [160]"));
        Path unknown = work.resolve("unknown.safetensors");
        Files.write(unknown, CheckpointFiles.write(List.of(
                new CheckpointFiles.Tensor("no.such.weight", DType.F32, new long[] {1}, new byte[4]))));
        assertTrue(a.theta("add", MODEL, "--update", "sparse", "--delta", unknown.toString()).assertFailed().err()
                .contains("has no.such.weight, which the checkpoint does not"));
        byte[] badMask = mask.clone();
        badMask[7] = 2;
        Path bad = work.resolve("bad-mask.safetensors");
        Files.write(bad, CheckpointFiles.write(List.of(
                new CheckpointFiles.Tensor(FC1, DType.I8, new long[] {160, 640}, badMask))));
        assertTrue(a.theta("add", MODEL, "--update", "sparse-ternary", "--mask", bad.toString(), "--scale", "0.1")
                .assertFailed().err().contains(FC1 + ": the mask holds 2; a sparse-ternary mask holds only -1, 0 and "
                        + "+1"));
        assertTrue(a.theta("add", MODEL, "--update", "sparse-ternary", "--mask", maskFile.toString()).assertFailed()
                .err().contains("--update sparse-ternary needs --scale S"));
        assertArrayEquals(now, Files.readAllBytes(a.file(MODEL)), "refused updates leave the checkpoint alone");
        a.assertClean();
    }

    private static float[] added(float[] w, float[] delta) {
        float[] out = w.clone();
        for (int i = 0; i < w.length; i++) {
            if (delta[i] != 0f) {
                out[i] = w[i] + delta[i];
            }
        }
        return out;
    }

}
