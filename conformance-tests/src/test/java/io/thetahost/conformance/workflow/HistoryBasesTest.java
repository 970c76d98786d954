package io.thetahost.conformance.workflow;

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
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The everyday path (cp a new checkpoint over the old one, git add, commit, push; no hints) costs what the codec finds
 * against the version in the commit's history, not against the newest version this clone happens to have seen: each
 * push is held to 1.25x of {@code theta delta} against the right base plus a fixed allowance for the transfer
 * protocol's own lines, measured from the daemon's request log.
 */
class HistoryBasesTest extends SharedDaemon {
    private static final String MODEL = "model.safetensors";
    private static final Map<String, String> NO_PROMPT = Map.of("THETA_NO_PROMPT", "1");
    /** Tensors in the fixtures' checkpoint. */
    private static final int TENSORS = 52;
    private static final Pattern TOTAL = Pattern.compile("\"total_bytes\":(\\d+)");

    @BeforeAll
    static void install() {
        Cmd.of(Fixtures.binTheta().toString(), "install").env(alice.env()).in(base).run().assertOk();
    }

    /**
     * main gets the LoRA fine-tune; a sparse-ternary update made on a branch from base is pushed, then fetched into a
     * clone that holds base and, checked out last, the LoRA version: both cost about the update's patch against base,
     * not against the LoRA version.
     */
    @Test
    void anUpdateOnABranchFromAnOlderCommitTravelsAsAPatchAgainstThatCommit() throws Exception {
        String repo = "alice/ternary";
        ModelRepo a = pushedBase(repo, "ternary");
        ModelRepo reader = cloneOf(repo, "ternary-reader");

        // A LoRA merged on a GPU and saved whole, pushed with no hint: the SVD finds the update.
        Path lora = Fixtures.checkpoint("lora_merged.safetensors");
        long loraDelta = thetaDelta(a, Fixtures.checkpoint("base.safetensors"), lora);
        Files.copy(lora, a.file(MODEL), StandardCopyOption.REPLACE_EXISTING);
        a.git("commit", "-qam", "lora").assertOk();
        int from = server.requestLog().size();
        a.git("push", "-q", "origin", "HEAD:main").assertOk();
        assertNear("push of a GPU-merged LoRA, no hint", ModelRepo.wireSince(server, from), loraDelta, TENSORS);
        from = server.requestLog().size();
        reader.git("pull", "-q").assertOk(); // the reader now holds base and the LoRA version, the LoRA one last
        assertArrayEquals(Files.readAllBytes(lora), Files.readAllBytes(reader.file(MODEL)));
        assertNear("pull of that LoRA into a clone holding base", ModelRepo.wireSince(server, from), loraDelta,
                TENSORS);

        a.git("checkout", "-q", "-b", "ternary", "HEAD~1").assertOk();
        Path ternary = base.resolve("ternary.safetensors");
        Files.write(ternary, sparseTernary(CheckpointFiles.read(Fixtures.checkpoint("base.safetensors"))));
        long delta = thetaDelta(a, Fixtures.checkpoint("base.safetensors"), ternary);
        Files.copy(ternary, a.file(MODEL), StandardCopyOption.REPLACE_EXISTING);
        a.git("commit", "-qam", "sparse-ternary update").assertOk();

        from = server.requestLog().size();
        a.git("push", "-q", "origin", "ternary").assertOk();
        assertNear("push of a sparse-ternary update on a branch from base", ModelRepo.wireSince(server, from), delta,
                TENSORS);

        from = server.requestLog().size();
        reader.git("fetch", "-q", "origin", "ternary").assertOk();
        reader.git("checkout", "-q", "-b", "ternary", "origin/ternary").assertOk();
        assertArrayEquals(Files.readAllBytes(ternary), Files.readAllBytes(reader.file(MODEL)));
        assertNear("fetch of that update into a clone holding base", ModelRepo.wireSince(server, from), delta,
                TENSORS);
    }

    /**
     * A clone that holds a full fine-tune (seen last) and a sparse-ternary update of v3, but not v3's own base, checks
     * out v3: the server, unable to send its stored patch, encodes v3 against the nearer of the versions the clone
     * offers, not the one it saw last.
     */
    @Test
    void aFetchIsEncodedAgainstTheNearestOfTheVersionsHeldHere() throws Exception {
        String repo = "alice/nearest";
        ModelRepo a = pushedBase(repo, "nearest");
        CheckpointFiles baseFile = CheckpointFiles.read(Fixtures.checkpoint("base.safetensors"));
        Files.write(a.file(MODEL), fullFineTune(baseFile));
        a.git("commit", "-qam", "v2: full fine-tune").assertOk();
        // Sent dense: this push is not what is measured here, and encoding a full fine-tune costs seconds.
        a.git("-c", "theta.baseCandidates=0", "push", "-q", "origin", "HEAD:main").assertOk();

        Path v3 = base.resolve("nearest-v3.safetensors");
        Path v4 = base.resolve("nearest-v4.safetensors");
        Files.write(v3, sparseUpdate(baseFile));
        Files.write(v4, sparseTernary(CheckpointFiles.read(v3)));
        a.git("checkout", "-q", "-b", "v3", "HEAD~1").assertOk();
        Files.copy(v3, a.file(MODEL), StandardCopyOption.REPLACE_EXISTING);
        a.git("commit", "-qam", "v3: sparse update of base").assertOk();
        a.git("push", "-q", "origin", "v3").assertOk();
        a.git("checkout", "-q", "-b", "v4").assertOk();
        Files.copy(v4, a.file(MODEL), StandardCopyOption.REPLACE_EXISTING);
        a.git("commit", "-qam", "v4: sparse-ternary update of v3").assertOk();
        a.git("push", "-q", "origin", "v4").assertOk();

        ModelRepo reader = cloneOf(repo, "nearest-reader"); // main: the full fine-tune, and nothing of base
        reader.git("checkout", "-q", "-b", "v4", "origin/v4").assertOk();
        reader.git("checkout", "-q", "main").assertOk(); // the full fine-tune is now the version seen last
        long delta = thetaDelta(reader, v4, v3);
        int from = server.requestLog().size();
        reader.git("checkout", "-q", "-b", "v3", "origin/v3").assertOk();
        assertArrayEquals(Files.readAllBytes(v3), Files.readAllBytes(reader.file(MODEL)));
        assertNear("fetch of v3 into a clone holding v4 and, seen last, a full fine-tune",
                ModelRepo.wireSince(server, from), delta, TENSORS);
    }

    /** Two updates committed one on the other and pushed at once: the second travels as a patch against the first. */
    @Test
    void twoUpdatesPushedAtOnceTravelAsAChainOfPatches() throws Exception {
        String repo = "alice/chain";
        ModelRepo a = pushedBase(repo, "chain");
        Path first = base.resolve("chain-1.safetensors");
        Path second = base.resolve("chain-2.safetensors");
        Files.write(first, sparseTernary(CheckpointFiles.read(Fixtures.checkpoint("base.safetensors"))));
        Files.write(second, sparseUpdate(CheckpointFiles.read(first)));
        long delta = thetaDelta(a, Fixtures.checkpoint("base.safetensors"), first) + thetaDelta(a, first, second);
        for (Path update : new Path[] {first, second}) {
            Files.copy(update, a.file(MODEL), StandardCopyOption.REPLACE_EXISTING);
            a.git("commit", "-qam", update.getFileName().toString()).assertOk();
        }
        int from = server.requestLog().size();
        a.git("push", "-q", "origin", "HEAD:main").assertOk();
        assertNear("push of two updates at once, each against the one before", ModelRepo.wireSince(server, from),
                delta, 2 * TENSORS);
    }

    /**
     * A sparse fine-tune of base committed on top of an unrelated full fine-tune: its parent is not the nearest
     * version, base (its grandparent) is, and the push finds it.
     */
    @Test
    void anUpdateCommittedOnTopOfAnUnrelatedOneFindsTheNearerBase() throws Exception {
        String repo = "alice/nearer";
        ModelRepo a = pushedBase(repo, "nearer");
        ModelRepo reader = cloneOf(repo, "nearer-reader"); // holds base
        CheckpointFiles baseFile = CheckpointFiles.read(Fixtures.checkpoint("base.safetensors"));

        Path full = base.resolve("nearer-full.safetensors");
        Files.write(full, fullFineTune(baseFile));
        long fullDelta = thetaDelta(a, Fixtures.checkpoint("base.safetensors"), full);
        Files.copy(full, a.file(MODEL), StandardCopyOption.REPLACE_EXISTING);
        a.git("commit", "-qam", "full fine-tune").assertOk();
        int from = server.requestLog().size();
        a.git("push", "-q", "origin", "HEAD:main").assertOk();
        assertNear("push of a full fine-tune", ModelRepo.wireSince(server, from), fullDelta, TENSORS);
        from = server.requestLog().size();
        reader.git("pull", "-q").assertOk();
        assertArrayEquals(Files.readAllBytes(full), Files.readAllBytes(reader.file(MODEL)));
        assertNear("pull of that full fine-tune into a clone holding base", ModelRepo.wireSince(server, from),
                fullDelta, TENSORS);

        Path sparse = base.resolve("sparse.safetensors");
        Files.write(sparse, sparseUpdate(baseFile));
        long delta = thetaDelta(a, Fixtures.checkpoint("base.safetensors"), sparse);
        Files.copy(sparse, a.file(MODEL), StandardCopyOption.REPLACE_EXISTING);
        a.git("commit", "-qam", "sparse fine-tune of base").assertOk();
        from = server.requestLog().size();
        a.git("push", "-q", "origin", "HEAD:main").assertOk();
        assertNear("push of a sparse fine-tune of base committed on top of a full fine-tune",
                ModelRepo.wireSince(server, from), delta, TENSORS);
        from = server.requestLog().size();
        reader.git("pull", "-q").assertOk();
        assertArrayEquals(Files.readAllBytes(sparse), Files.readAllBytes(reader.file(MODEL)));
        assertNear("pull of it into a clone holding base and the full fine-tune", ModelRepo.wireSince(server, from),
                delta, TENSORS);
    }

    /**
     * A remote whose URL carries the token ({@code http://alice:TOKEN@host/...}), with no credential helper at all:
     * theta's upload uses the URL's credentials as git does, the push lands, and the token is never printed.
     */
    @Test
    void aPushToAnHttpUrlWithTheTokenInItWorksAndNeverShowsTheToken() throws Exception {
        String repo = "alice/token-url";
        server.admin("repo", "create", repo).assertOk();
        String url = alice.url(Transport.HTTP, repo).replace("http://", "http://alice:" + alice.token() + "@");
        Path dir = base.resolve("token-url");
        Cmd.Result cloned = alice.git(base, "-c", "credential.helper=", "clone", url, dir.toString()).assertOk();
        ModelRepo a = new ModelRepo(alice, dir, NO_PROMPT);
        a.theta("track", MODEL).assertOk();
        Files.copy(Fixtures.checkpoint("base.safetensors"), a.file(MODEL));
        a.git("add", "-A").assertOk();
        a.git("commit", "-qm", "base").assertOk();
        // An empty credential.helper clears the helpers for git and for the hook theta runs under it.
        Cmd.Result pushed = a.git("-c", "credential.helper=", "push", "origin", "HEAD:main").assertOk();
        assertTrue(pushed.err().contains("theta: uploaded "), pushed.err());
        assertEquals(a.git("rev-parse", "HEAD").assertOk().out().strip(),
                io.thetahost.conformance.support.Repos.serverRef(server, repo, "refs/heads/main"));
        for (Cmd.Result r : new Cmd.Result[] {cloned, pushed}) {
            assertFalse((r.out() + r.err()).contains(alice.token()), "the token is never printed:\n" + r.all());
        }
    }

    /**
     * A history uploaded dense ({@code theta.baseCandidates 0}, as an older client or another tool sends it) is stored
     * dense; {@code thetahost gc --repack}, run against the live daemon, stores the updates as patches against their
     * neighbours, saving what the codec finds, and every version still reads back byte for byte in a fresh clone.
     */
    @Test
    void aHistoryUploadedDenseIsStoredAsPatchesAfterRepack() throws Exception {
        String repo = "alice/repack";
        server.admin("repo", "create", repo).assertOk();
        ModelRepo a = cloneOf(repo, "repack");
        a.git("config", "theta.baseCandidates", "0").assertOk();
        a.theta("track", MODEL).assertOk();
        Path v1 = Fixtures.checkpoint("base.safetensors");
        Path v2 = base.resolve("repack-2.safetensors");
        Path v3 = base.resolve("repack-3.safetensors");
        Files.write(v2, sparseTernary(CheckpointFiles.read(v1)));
        Files.write(v3, sparseUpdate(CheckpointFiles.read(v2)));
        Path[] versions = {v1, v2, v3};
        long before = 0;
        for (int i = 0; i < versions.length; i++) {
            Files.copy(versions[i], a.file(MODEL), StandardCopyOption.REPLACE_EXISTING);
            a.git("add", "-A").assertOk();
            a.git("commit", "-qm", "v" + (i + 1)).assertOk();
            a.git("push", "-q", "origin", "HEAD:main").assertOk();
            if (i == 0) {
                before = storedBytes();
            }
        }
        long stored = storedBytes();
        long updatesDense = stored - before;
        long updatesAsPatches = thetaDelta(a, v1, v2) + thetaDelta(a, v2, v3);

        Cmd.Result repack = server.admin("gc", "--repack").assertOk();
        assertTrue(repack.out().matches("(?s).*repack: \\d+ of \\d+ tensors stored dense.*"), repack.all());
        long saved = stored - storedBytes(); // fsck also finds every chain sound
        System.out.printf("gc --repack: the two updates took %,d bytes dense; saved %,d; theta delta finds %,d%n",
                updatesDense, saved, updatesAsPatches);
        assertTrue(saved >= updatesDense - 1.25 * updatesAsPatches - 300L * TENSORS, "repack saved " + saved
                + " bytes of the " + updatesDense + " the dense updates took, where the codec finds "
                + updatesAsPatches + ":\n" + repack.all());

        ModelRepo reader = cloneOf(repo, "repack-reader");
        for (int back = 0; back < versions.length; back++) {
            reader.git("checkout", "-q", "main~" + back).assertOk();
            assertArrayEquals(Files.readAllBytes(versions[versions.length - 1 - back]),
                    Files.readAllBytes(reader.file(MODEL)), "v" + (versions.length - back) + " after the repack");
        }
    }

    /**
     * A clone that has seen four fine-tunes of base's embedding since base checks out a sparse update of base: the
     * four embeddings seen last are not what the update was made from; base's, in the checked-out commit's parent, is
     * offered first, so the server sends the patch it stores against base (else about 0.8 MB for the embedding).
     */
    @Test
    void aCheckoutOffersTheVersionsInItsHistoryFirst() throws Exception {
        String repo = "alice/history-first";
        ModelRepo a = pushedBase(repo, "history-first");
        CheckpointFiles baseFile = CheckpointFiles.read(Fixtures.checkpoint("base.safetensors"));
        for (int i = 1; i <= 4; i++) {
            a.git("checkout", "-q", "-b", "tune" + i, "main").assertOk();
            SplittableRandom random = new SplittableRandom(100 + i);
            Files.write(a.file(MODEL), baseFile.withFloats("transformer.wte.weight", v -> {
                for (int k = 0; k < v.length; k++) {
                    v[k] *= 1f + (float) random.nextDouble(-0.01, 0.01);
                }
                return v;
            }));
            a.git("commit", "-qam", "full fine-tune " + i).assertOk();
        }
        a.git("checkout", "-q", "-b", "sparse", "main").assertOk();
        Path sparse = base.resolve("history-first-sparse.safetensors");
        Files.write(sparse, sparseUpdate(baseFile));
        Files.copy(sparse, a.file(MODEL), StandardCopyOption.REPLACE_EXISTING);
        a.git("commit", "-qam", "sparse update of base").assertOk();
        // Sent dense (theta.baseCandidates 0): what travels here is not the point, and encoding costs seconds.
        a.git("-c", "theta.baseCandidates=0", "push", "-q", "origin", "tune1", "tune2", "tune3", "tune4")
                .assertOk();
        a.git("push", "-q", "origin", "sparse").assertOk();

        ModelRepo reader = cloneOf(repo, "history-first-reader"); // holds base
        for (int i = 1; i <= 4; i++) {
            reader.git("checkout", "-q", "-b", "tune" + i, "origin/tune" + i).assertOk();
        }
        long delta = thetaDelta(a, Fixtures.checkpoint("base.safetensors"), sparse);
        int from = server.requestLog().size();
        reader.git("checkout", "-q", "-b", "sparse", "origin/sparse").assertOk();
        assertArrayEquals(Files.readAllBytes(sparse), Files.readAllBytes(reader.file(MODEL)));
        assertNear("checkout of a sparse update of base after four other fine-tunes were seen",
                ModelRepo.wireSince(server, from), delta, TENSORS);
    }

    /**
     * Parameters renamed, and the checkpoint moved to another path, in one commit: the same ids under other names cost
     * neither the push nor a clone that holds them anything but the lookup.
     */
    @Test
    void renamedAndMovedParametersCostNothing() throws Exception {
        String repo = "alice/renamed";
        ModelRepo a = pushedBase(repo, "renamed");
        ModelRepo reader = cloneOf(repo, "renamed-reader");
        CheckpointFiles baseFile = CheckpointFiles.read(Fixtures.checkpoint("base.safetensors"));
        java.util.List<CheckpointFiles.Tensor> renamed = new java.util.ArrayList<>();
        for (var t : baseFile.header().tensors()) {
            renamed.add(new CheckpointFiles.Tensor("model." + t.name(), t.dtype(), t.shape().dims(),
                    baseFile.raw(t.name())));
        }
        a.theta("track", "moved/" + MODEL).assertOk();
        a.git("rm", "-q", MODEL).assertOk();
        Files.createDirectories(a.file("moved"));
        Files.write(a.file("moved/" + MODEL), CheckpointFiles.write(renamed));
        a.git("add", "-A").assertOk();
        a.git("commit", "-qm", "rename every parameter and move the checkpoint").assertOk();

        Cmd.Result refused = a.git("-c", "theta.encodeTimeBudget=soon", "push", "-q", "origin", "HEAD:main");
        refused.assertFailed();
        assertTrue(refused.err().contains("git config theta.encodeTimeBudget is 'soon'"), refused.all());

        int from = server.requestLog().size();
        a.git("push", "-q", "origin", "HEAD:main").assertOk();
        assertNear("push of renamed and moved parameters", ModelRepo.wireSince(server, from), 0, TENSORS);
        from = server.requestLog().size();
        reader.git("pull", "-q").assertOk();
        assertArrayEquals(Files.readAllBytes(a.file("moved/" + MODEL)),
                Files.readAllBytes(reader.file("moved/" + MODEL)));
        ModelRepo.Wire pulled = ModelRepo.wireSince(server, from);
        assertNear("pull of renamed and moved parameters", pulled, 0, TENSORS);
        assertEquals(0, pulled.theta(), "no tensor is fetched: every id is held already");
    }

    /** The bytes of encodings the server stores, as {@code thetahost fsck} reports them (it must find no fault). */
    private static long storedBytes() {
        Cmd.Result fsck = server.admin("fsck").assertOk();
        Matcher m = Pattern.compile("stored (\\d+) bytes of encodings").matcher(fsck.out());
        assertTrue(m.find(), fsck.all());
        return Long.parseLong(m.group(1));
    }

    private static ModelRepo pushedBase(String repo, String dirName) throws Exception {
        server.admin("repo", "create", repo).assertOk();
        ModelRepo a = cloneOf(repo, dirName);
        a.theta("track", MODEL).assertOk();
        Files.copy(Fixtures.checkpoint("base.safetensors"), a.file(MODEL));
        a.git("add", "-A").assertOk();
        a.git("commit", "-qm", "base").assertOk();
        a.git("push", "-q", "origin", "HEAD:main").assertOk();
        return a;
    }

    private static ModelRepo cloneOf(String repo, String dirName) {
        Path dir = base.resolve(dirName);
        alice.git(base, "clone", "-q", alice.url(Transport.SSH, repo), dir.toString()).assertOk();
        return new ModelRepo(alice, dir, NO_PROMPT);
    }

    /** Deltas already measured, by the two files' contents: the tests share several, and each costs seconds. */
    private static final Map<String, Long> DELTAS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The bytes {@code theta delta} finds for TARGET against BASE. */
    private static long thetaDelta(ModelRepo a, Path baseFile, Path target) throws java.io.IOException {
        String key = digest(baseFile) + " " + digest(target);
        Long known = DELTAS.get(key);
        if (known != null) {
            return known;
        }
        long measured = measureDelta(a, baseFile, target);
        DELTAS.put(key, measured);
        return measured;
    }

    private static String digest(Path file) throws java.io.IOException {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long measureDelta(ModelRepo a, Path baseFile, Path target) {
        String json = a.theta("delta", "--json", baseFile.toString(), target.toString()).assertOk().out();
        Matcher m = TOTAL.matcher(json.replace(" ", ""));
        assertTrue(m.find(), json);
        return Long.parseLong(m.group(1));
    }

    /**
     * Holds a transfer's bytes on the wire, git's and theta's, to 1.25x of what {@code theta delta} finds, plus an
     * allowance for what is not encodings: the transfer protocol's lookup and framing, about 300 bytes per tensor of
     * the checkpoints (its id and candidate bases asked for and answered), and 4 KiB for git's own exchange.
     */
    private static void assertNear(String what, ModelRepo.Wire wire, long delta, int tensors) {
        long allowance = 300L * tensors + 4096;
        System.out.printf("%s: %,d bytes on the wire (%,d theta, %,d git), theta delta %,d: %.2fx%n", what,
                wire.total(), wire.theta(), wire.git(), delta, (double) wire.total() / delta);
        assertTrue(wire.total() <= 1.25 * delta + allowance, what + ": " + wire.total() + " bytes on the wire for "
                + delta + " bytes of encodings (allowed: 1.25x + " + allowance + ")");
    }

    /** Base with 1% of the elements of every 2-D tensor moved by +-0.01, as a sparse-ternary update would. */
    static byte[] sparseTernary(CheckpointFiles file) {
        SplittableRandom random = new SplittableRandom(7);
        return changeMatrices(file, v -> {
            for (int i = 0; i < v.length; i++) {
                if (random.nextInt(100) == 0) {
                    v[i] += random.nextBoolean() ? 0.01f : -0.01f;
                }
            }
            return v;
        });
    }

    /** Base with 0.5% of the elements of every 2-D tensor given new values. */
    static byte[] sparseUpdate(CheckpointFiles file) {
        SplittableRandom random = new SplittableRandom(11);
        return changeMatrices(file, v -> {
            for (int i = 0; i < v.length; i++) {
                if (random.nextInt(200) == 0) {
                    v[i] += (float) random.nextDouble(-0.05, 0.05);
                }
            }
            return v;
        });
    }

    /** Every tensor changed a little everywhere, as full fine-tuning does. */
    static byte[] fullFineTune(CheckpointFiles file) {
        return fullFineTune(file, 13);
    }

    static byte[] fullFineTune(CheckpointFiles file, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] out = file.bytes();
        for (var t : file.header().tensors()) {
            out = CheckpointFiles.of(out).withFloats(t.name(), v -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] *= 1f + (float) random.nextDouble(-0.01, 0.01);
                }
                return v;
            });
        }
        return out;
    }

    private static byte[] changeMatrices(CheckpointFiles file, java.util.function.UnaryOperator<float[]> change) {
        byte[] out = file.bytes();
        for (var t : file.header().tensors()) {
            if (t.shape().rank() == 2) {
                out = CheckpointFiles.of(out).withFloats(t.name(), change);
            }
        }
        return out;
    }
}
