package io.thetahost.conformance.workflow;

import static io.thetahost.conformance.support.CheckpointFiles.scaled;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.CheckpointFiles;
import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import io.thetahost.conformance.support.ModelRepo;
import io.thetahost.conformance.support.SharedDaemon;
import io.thetahost.conformance.support.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole workflow of docs/DESIGN.md §1 with stock git and bin/theta against the real daemon, over SSH and HTTP:
 * push a base, push a LoRA update made with theta add, fetch it in another clone, merge branches that change different
 * parameters and the same one, and check out only the adapter of a checkpoint. Every materialized checkpoint is
 * checked byte for byte, and the bytes on the wire of the LoRA push, of its fetch and of the partial checkout are
 * held to what they carry.
 */
class ModelWorkflowTest extends SharedDaemon {
    private static final String MODEL = "model.safetensors";
    private static final String WITH_ADAPTER = "with_adapter.safetensors";
    private static final Map<String, String> NO_PROMPT = Map.of("THETA_NO_PROMPT", "1");

    private final CheckpointFiles base = CheckpointFiles.read(Fixtures.checkpoint("base.safetensors"));
    private final Path adapterFile = Fixtures.checkpoint("adapter_model.safetensors");
    private final CheckpointFiles adapter = CheckpointFiles.read(adapterFile);

    @ParameterizedTest
    @EnumSource(Transport.class)
    void pushFetchMergeAndCheckOutModelsWithStockGit(Transport transport) throws Exception {
        String name = "alice/model-" + transport.name().toLowerCase();
        server.admin("repo", "create", name).assertOk();
        String url = alice.url(transport, name);
        Path work = Files.createTempDirectory(SharedDaemon.base, "workflow-");

        // A base and a checkpoint holding base and adapter tensors, pushed from one clone.
        alice.git(work, "clone", url, "a").assertOk();
        ModelRepo a = new ModelRepo(alice, work.resolve("a"), NO_PROMPT);
        a.theta("install").assertOk();
        assertTrue(Files.isExecutable(a.file(".git/hooks/pre-push")), "theta install put the pre-push hook");
        a.theta("track", MODEL, WITH_ADAPTER).assertOk();
        Files.copy(Fixtures.checkpoint("base.safetensors"), a.file(MODEL));
        byte[] withAdapter = CheckpointFiles.combine(base, adapter);
        Files.write(a.file(WITH_ADAPTER), withAdapter);
        a.git("add", MODEL, WITH_ADAPTER).assertOk();
        a.git("commit", "-m", "base").assertOk();
        assertTrue(a.git("show", "HEAD:" + MODEL).assertOk().out().contains("\"thetahost_manifest\": 1"),
                "git stores a manifest, not the checkpoint");
        int logged = server.requestLog().size();
        Cmd.Result pushBase = a.git("push", "origin", "HEAD:main").assertOk();
        assertTrue(pushBase.err().contains("theta: uploaded 76 tensors (0 already there)"), pushBase.err());
        report("the base push", ModelRepo.wireSince(server, logged));

        // A second clone gets the real files, and a clean status.
        logged = server.requestLog().size();
        alice.git(work, "clone", url, "b").assertOk();
        report("the clone", ModelRepo.wireSince(server, logged));
        ModelRepo b = new ModelRepo(alice, work.resolve("b"), NO_PROMPT);
        assertSameFile(a.file(MODEL), b.file(MODEL));
        assertArrayEquals(withAdapter, Files.readAllBytes(b.file(WITH_ADAPTER)));
        b.assertClean();

        // The LoRA update: theta add writes the canonical apply and the push sends the factors.
        Cmd.Result add = a.theta("add", MODEL, "--update", "low-rank", "--adapter", adapterFile.toString(),
                "--scale", "2").assertOk();
        assertTrue(add.err().contains("applied the rank-8 update to 12 of 52 tensors"), add.err());
        assertArrayEquals(canonicalLora(), Files.readAllBytes(a.file(MODEL)), "theta add wrote base + B A, "
                + "canonically rounded");
        assertCloseToTheGpuMerge(CheckpointFiles.read(a.file(MODEL)));
        assertEquals("M  " + MODEL + "\n", a.status(), "theta add staged the checkpoint");
        a.git("commit", "-m", "LoRA").assertOk();
        logged = server.requestLog().size();
        Cmd.Result pushLora = a.git("push", "origin", "HEAD:main").assertOk();
        assertTrue(pushLora.err().contains("theta: uploaded 12 tensors (40 already there)"), pushLora.err());
        assertAbout(ModelRepo.wireSince(server, logged), adapter.tensorBytes(), "the LoRA push");

        // The other clone fetches the update: the factors again, not the matrices.
        logged = server.requestLog().size();
        Cmd.Result pull = b.git("pull", "--ff-only").assertOk();
        assertTrue(pull.err().contains("theta: downloaded 12 tensors"), pull.err());
        assertAbout(ModelRepo.wireSince(server, logged), adapter.tensorBytes(), "fetching the LoRA update");
        assertSameFile(a.file(MODEL), b.file(MODEL));
        b.assertClean();

        // git diff and git show speak parameters.
        String diff = a.git("diff", "HEAD~1", "HEAD", "--", MODEL).assertOk().out();
        assertTrue(diff.contains("changed  transformer.h.0.attn.c_attn.weight  F32 [160, 480]  stored low-rank")
                && diff.contains("relative L2 change") && diff.contains("unchanged: 40 parameter groups"), diff);
        String show = a.git("show", "HEAD", "--", MODEL).assertOk().out();
        assertTrue(show.contains("+transformer.h.0.attn.c_attn.weight  F32 [160, 480]  sha256:"), show);

        checkOutOnlyTheAdapter(work, url, withAdapter);
        if (transport != Transport.SSH) {
            // The merges run in the clones (theta's merge driver); what they push goes over SSH here, and
            // PushChecksTest.mergesAreVerified pushes merges over both transports.
            return;
        }
        mergeBranchesThatChangeDifferentParameters(a, b);
        mergeBranchesThatChangeTheSameParameter(a);

        // The trees hold the attributes and two manifests; the history is the one the steps made.
        assertEquals(".gitattributes\n" + MODEL + "\n" + WITH_ADAPTER + "\n",
                a.git("ls-tree", "-r", "--name-only", "origin/p").assertOk().out());
        assertEquals(MODEL + " filter=theta diff=theta merge=theta\n" + WITH_ADAPTER
                + " filter=theta diff=theta merge=theta\n", a.git("show", "origin/p:.gitattributes").assertOk().out());
        assertEquals(List.of("Merge branch 'q' into p", "p: c_fc up", "LoRA", "base"), List.of(a.git("log",
                "--first-parent", "--format=%s", "origin/p").assertOk().out().strip().split("\n")));
        assertEquals("q: c_fc down\n", a.git("log", "-1", "--format=%s", "origin/p^2").assertOk().out());
    }

    /** One branch per clone, each changing its own parameter: the merge takes each side's change unasked. */
    private void mergeBranchesThatChangeDifferentParameters(ModelRepo a, ModelRepo b) throws Exception {
        CheckpointFiles lora = CheckpointFiles.read(a.file(MODEL));
        a.git("checkout", "-b", "left").assertOk();
        Files.write(a.file(MODEL), lora.withFloats("transformer.ln_f.weight", v -> scaled(v, 1.5f)));
        a.git("commit", "-am", "left: ln_f").assertOk();
        b.git("checkout", "-b", "right").assertOk();
        Files.write(b.file(MODEL), lora.withFloats("transformer.wte.weight", v -> scaled(v, 0.75f)));
        b.git("commit", "-am", "right: wte").assertOk();
        b.git("push", "origin", "right").assertOk();

        a.git("fetch", "origin").assertOk();
        Cmd.Result merge = a.git("merge", "--no-edit", "origin/right").assertOk();
        assertTrue(merge.err().contains("1 parameter(s) from ours, 1 from theirs, 0 changed on both sides"),
                merge.err());
        byte[] expected = CheckpointFiles.of(lora.withFloats("transformer.ln_f.weight", v -> scaled(v, 1.5f)))
                .withFloats("transformer.wte.weight", v -> scaled(v, 0.75f));
        assertArrayEquals(expected, Files.readAllBytes(a.file(MODEL)), "the merge holds both changes");
        assertFalse(a.git("show", "HEAD:" + MODEL).assertOk().out().contains("\"merges\""));
        a.assertClean();
        a.git("push", "origin", "left").assertOk();
    }

    /** Both branches change one parameter: a conflict without a strategy, the canonical average with one. */
    private void mergeBranchesThatChangeTheSameParameter(ModelRepo a) throws Exception {
        String fc = "transformer.h.0.mlp.c_fc.weight";
        a.git("checkout", "main").assertOk();
        CheckpointFiles lora = CheckpointFiles.read(a.file(MODEL));
        a.git("checkout", "-b", "p").assertOk();
        Files.write(a.file(MODEL), lora.withFloats(fc, v -> scaled(v, 1.5f)));
        a.git("commit", "-am", "p: c_fc up").assertOk();
        a.git("checkout", "-b", "q", "main").assertOk();
        Files.write(a.file(MODEL), lora.withFloats(fc, v -> scaled(v, 0.25f)));
        a.git("commit", "-am", "q: c_fc down").assertOk();
        a.git("checkout", "p").assertOk();

        Cmd.Result conflict = a.git("merge", "--no-edit", "q").assertFailed();
        assertTrue(conflict.err().contains("CONFLICT in model.safetensors: 1 parameter(s) changed on both sides: "
                + fc) && conflict.err().contains("theta.mergeStrategy"), conflict.err());
        a.git("merge", "--abort").assertOk();

        Cmd.Result merge = a.git("-c", "theta.mergeStrategy=average", "merge", "--no-edit", "q").assertOk();
        assertTrue(merge.err().contains(fc + " changed on both sides: average"), merge.err());
        float[] up = scaled(lora.floats(fc), 1.5f);
        float[] down = scaled(lora.floats(fc), 0.25f);
        float[] average = new float[up.length];
        for (int i = 0; i < up.length; i++) {
            average[i] = 0.5f * up[i] + 0.5f * down[i];
        }
        CheckpointFiles merged = CheckpointFiles.read(a.file(MODEL));
        assertArrayEquals(bits(average), bits(merged.floats(fc)), "the merge is the canonical average");
        assertArrayEquals(lora.raw("transformer.wte.weight"), merged.raw("transformer.wte.weight"));
        String manifest = a.git("show", "HEAD:" + MODEL).assertOk().out();
        assertTrue(manifest.contains("{\"name\": \"" + fc + "\", \"strategy\": \"average\""), manifest);
        a.assertClean();
        Cmd.Result push = a.git("push", "origin", "p").assertOk();
        assertTrue(push.err().contains("theta: uploaded 3 tensors"), push.err());
    }

    /** A clone that checks out manifests only, then only the adapter tensors of one checkpoint, then all of it. */
    private void checkOutOnlyTheAdapter(Path work, String url, byte[] withAdapter) throws Exception {
        Cmd.Result clone = Cmd.of("git", "clone", url, "c").in(work).env(alice.env())
                .env("THETA_SKIP_SMUDGE", "1").run().assertOk();
        assertFalse(clone.err().contains("theta: downloaded"), clone.err());
        ModelRepo c = new ModelRepo(alice, work.resolve("c"), NO_PROMPT);
        c.assertClean();

        int logged = server.requestLog().size();
        Cmd.Result partial = c.theta("checkout", "--include", "*lora*", WITH_ADAPTER).assertOk();
        assertTrue(partial.out().contains("wrote with_adapter.safetensors: 24 of 76 tensors"), partial.out());
        assertTrue(partial.err().contains("theta: downloaded 24 tensors"), partial.err());
        assertSameFile(adapterFile, c.file(WITH_ADAPTER));
        ModelRepo.Wire wire = ModelRepo.wireSince(server, logged);
        assertTrue(wire.total() <= adapter.tensorBytes() * 11 / 10, "the partial checkout moved " + wire.total()
                + " bytes, more than the adapter's " + adapter.tensorBytes());
        System.out.println("the partial checkout: " + wire.total() + " bytes on the wire; adapter tensors "
                + adapter.tensorBytes() + ", the whole checkpoint " + withAdapter.length);
        c.assertClean();

        c.theta("checkout", WITH_ADAPTER).assertOk();
        assertArrayEquals(withAdapter, Files.readAllBytes(c.file(WITH_ADAPTER)), "a full checkout restores all");
        c.assertClean();
        // The permissions git gives the files it checks out (0666 less the umask), not a temporary file's 0600.
        assertEquals(Files.getPosixFilePermissions(c.file(".gitattributes")),
                Files.getPosixFilePermissions(c.file(WITH_ADAPTER)), "theta checkout writes the file as git would");
    }

    /**
     * base with the adapter applied as docs/DESIGN.md §3 says, computed here independently: GPT-2's Conv1D weights are
     * in x out, so B' = 2 lora_A^T (the scale folded in) and A' = lora_B^T; each element is W + the sum of
     * B'[i][k] A'[k][j] for k in order (the product first: encoding format version 2), every step in float32.
     */
    private byte[] canonicalLora() {
        CheckpointFiles result = base;
        for (int layer = 0; layer < 4; layer++) {
            for (String module : new String[] {"attn.c_attn", "attn.c_proj", "mlp.c_proj"}) {
                String prefix = "transformer.h." + layer + "." + module;
                String peft = "base_model.model." + prefix;
                float[] loraA = adapter.floats(peft + ".lora_A.default.weight");
                float[] loraB = adapter.floats(peft + ".lora_B.default.weight");
                long[] shape = base.header().tensor(prefix + ".weight").orElseThrow().shape().dims();
                int in = (int) shape[0];
                int out = (int) shape[1];
                int rank = loraA.length / in;
                result = CheckpointFiles.of(result.withFloats(prefix + ".weight", w -> {
                    float[] updated = new float[w.length];
                    for (int i = 0; i < in; i++) {
                        for (int j = 0; j < out; j++) {
                            float product = 0f;
                            for (int k = 0; k < rank; k++) {
                                float bik = 2f * loraA[k * in + i];
                                product = product + bik * loraB[j * rank + k];
                            }
                            updated[i * out + j] = w[i * out + j] + product;
                        }
                    }
                    return updated;
                }));
            }
        }
        return result.bytes();
    }

    /**
     * peft merged the same adapter on a GPU into lora_merged: the canonical apply differs from it only by rounding
     * (a relative L2 difference around 1e-7), which a wrong scale or orientation could not.
     */
    private static void assertCloseToTheGpuMerge(CheckpointFiles written) {
        CheckpointFiles gpu = CheckpointFiles.read(Fixtures.checkpoint("lora_merged.safetensors"));
        for (var e : gpu.header().tensors()) {
            float[] x = gpu.floats(e.name());
            float[] y = written.floats(e.name());
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < x.length; i++) {
                diff += ((double) y[i] - x[i]) * ((double) y[i] - x[i]);
                norm += (double) x[i] * x[i];
            }
            assertTrue(Math.sqrt(diff / norm) < 1e-6, e.name() + " differs from peft's merge by "
                    + Math.sqrt(diff / norm));
        }
    }

    /** Wire bytes within 10% of what the step carries: the tensors' payload plus git's own traffic. */
    private static void assertAbout(ModelRepo.Wire wire, long payload, String step) {
        long expected = payload + wire.git();
        assertTrue(Math.abs(wire.total() - expected) <= expected / 10, step + ": " + wire.total()
                + " bytes on the wire (" + wire.theta() + " theta, " + wire.git() + " git); the payload is " + payload
                + " bytes of factors plus " + wire.git() + " of git objects");
        System.out.println(step + ": " + wire.total() + " bytes on the wire (" + wire.theta() + " theta transfer, "
                + wire.git() + " git); factors " + payload);
    }

    private static void report(String step, ModelRepo.Wire wire) {
        System.out.println(step + ": " + wire.total() + " bytes on the wire (" + wire.theta() + " theta transfer, "
                + wire.git() + " git)");
    }

    private static void assertSameFile(Path expected, Path actual) throws Exception {
        assertEquals(-1L, Files.mismatch(expected, actual), actual + " is byte for byte " + expected);
    }

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }
}
