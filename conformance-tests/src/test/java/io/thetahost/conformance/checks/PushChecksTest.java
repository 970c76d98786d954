package io.thetahost.conformance.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.CheckpointFiles;
import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.ModelRepo;
import io.thetahost.conformance.support.Repos;
import io.thetahost.conformance.support.SharedDaemon;
import io.thetahost.conformance.support.Transport;
import io.thetahost.protocol.manifest.DeclaredMerge;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.safetensors.SafetensorsHeader;
import io.thetahost.protocol.safetensors.TensorEntry;
import io.thetahost.protocol.safetensors.TensorSpec;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The checks on push (hooks/CHECKS.md) with the real daemon, real git and bin/theta, over SSH and over HTTP (with the
 * token in the URL, as people paste it): every pushed manifest, branch rules, merges, atomic and separate refs, and
 * {@code -o theta.check-merge}. Each rule is broken once and kept once; the server's ref is read after each push, and
 * the lines git prints are asserted as a person reads them. Alice has theta installed; bob has plain git only. The
 * checks run in the one pre-receive hook both transports share: the manifest checks and the atomic pushes run over
 * both, each other rule over one of them, the two alternating (the suite's time is spent once per rule).
 */
class PushChecksTest extends SharedDaemon {
    private static final String MODEL = "model.safetensors";
    private static final String C_ATTN = "transformer.h.0.attn.c_attn.weight";
    private static final String LN = "transformer.h.1.ln_1.weight";
    private static final Map<String, String> NO_PROMPT = Map.of("THETA_NO_PROMPT", "1");

    private static GitUser bob;
    private static CheckpointFiles baseFile;

    @BeforeAll
    static void users() {
        bob = GitUser.create(server, base, "bob");
        baseFile = CheckpointFiles.read(Fixtures.checkpoint("base.safetensors"));
        Cmd.of(Fixtures.binTheta().toString(), "install").env(alice.env()).in(base).run().assertOk();
    }

    // ---- 1. every pushed manifest -------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Transport.class)
    void everyPushedManifestIsChecked(Transport transport) throws Exception {
        String repo = "alice/manifests-" + transport.name().toLowerCase();
        ModelRepo a = pushedBase(repo, transport, "a");
        String main = serverMain(repo);

        // The LoRA commit pushed around theta's hook: 12 tensors the server never received.
        Files.copy(Fixtures.checkpoint("lora_merged.safetensors"), a.file(MODEL), REPLACE);
        a.git("commit", "-qam", "lora").assertOk();
        String commit = a.git("rev-parse", "--short=7", "HEAD").assertOk().out().strip();
        Cmd.Result refused = a.git("push", "--no-verify", "origin", "HEAD:main").assertFailed();
        List<String> lines = remoteLines(refused);
        assertEquals("remote: theta: refs/heads/main rejected: 12 problems", lines.get(0), refused.err());
        assertTrue(Pattern.matches("remote: theta:   \\[tensors-present\\] " + commit + " model\\.safetensors "
                + "transformer\\.h\\.\\d\\.\\S+: tensor sha256:[0-9a-f]{16}\\.\\.\\. is not on the server",
                lines.get(1)), lines.get(1));
        assertEquals(List.of("remote: theta:   ... and 2 more [tensors-present]", "remote: theta:   to fix: push "
                + "with theta installed (theta install), not --no-verify: theta's pre-push hook uploads the tensors "
                + "before the commits"), lines.subList(11, 13));
        assertTrue(Pattern.compile(" ! \\[remote rejected] HEAD -> main \\(tensors-present: tensor "
                + "sha256:[0-9a-f]{16}\\.\\.\\. is not on the server \\(12 problems in all\\)\\)").matcher(
                refused.err()).find(), refused.err());
        assertEquals(main, serverMain(repo), "main did not move");

        // The same commit with theta's hook: the tensors go first, and the push lands.
        a.git("push", "origin", "HEAD:main").assertOk();
        assertEquals(a.git("rev-parse", "HEAD").assertOk().out().strip(), serverMain(repo));

        // Bob has plain git: a checkpoint copied over the old one and committed as is, on a branch made from an
        // older commit.
        server.admin("repo", "grant", repo, "bob", "write").assertOk();
        Path b = base.resolve("bob-" + repo.replace('/', '-'));
        bob.git(base, "clone", "-q", url(bob, transport, repo), b.toString()).assertOk();
        bob.git(b, "checkout", "-q", "-b", "retrain", "HEAD~1").assertOk();
        Files.copy(Fixtures.checkpoint("lora_merged.safetensors"), b.resolve(MODEL), REPLACE);
        bob.git(b, "commit", "-qam", "retrained").assertOk();
        String bobCommit = bob.git(b, "rev-parse", "--short=7", "HEAD").assertOk().out().strip();
        Cmd.Result raw = bob.git(b, "push", "origin", "retrain").assertFailed();
        assertEquals(List.of("remote: theta: refs/heads/retrain rejected: 1 problem",
                "remote: theta:   [manifest] " + bobCommit + " model.safetensors: not a theta manifest: it holds "
                        + "6347448 bytes of the file itself, not a manifest: theta's clean filter did not run when it "
                        + "was committed",
                "remote: theta:   to fix: commit checkpoints with theta installed (theta install), then git add "
                        + "--renormalize model.safetensors and commit again"), remoteLines(raw));
        assertEquals(null, Repos.serverRef(server, repo, "refs/heads/retrain"));

        // A manifest edited by hand: no longer canonical.
        String manifest = a.git("cat-file", "blob", "HEAD:" + MODEL).assertOk().out();
        String edited = commitAsIs(bob, b, "main", MODEL, manifest.replace("\"format\": ", "\"format\":  ")
                .getBytes(StandardCharsets.UTF_8), "edited");
        Cmd.Result nonCanonical = bob.git(b, "push", "origin", edited + ":refs/heads/edited").assertFailed();
        assertTrue(remoteLines(nonCanonical).get(1).startsWith("remote: theta:   [manifest] " + edited.substring(0, 7)
                + " model.safetensors: not a theta manifest: manifest is not in canonical form (it differs from the "
                + "canonical writing at byte "), nonCanonical.err());

        // A canonical manifest whose shapes lie about stored tensors.
        Manifest real = ManifestFormat.read(manifest.getBytes(StandardCharsets.UTF_8));
        byte[] lying = ManifestFormat.write(reshaped(real, LN, Shape.of(80, 2)));
        String liar = commitAsIs(bob, b, "main", MODEL, lying, "reshaped");
        Cmd.Result shape = bob.git(b, "push", "origin", liar + ":refs/heads/reshaped").assertFailed();
        assertEquals("remote: theta:   [tensor-shape] " + liar.substring(0, 7) + " model.safetensors " + LN
                + ": the manifest says F32 [80, 2] but the stored tensor is F32 [160]", remoteLines(shape).get(1));
        assertEquals(null, Repos.serverRef(server, repo, "refs/heads/reshaped"));
    }

    /** A tensor this repository never received reads alike whether another repository holds it or none does. */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = "HTTP")
    void aTensorHeldOnlyForAnotherRepositoryIsMissingHere(Transport transport) throws Exception {
        String t = transport.name().toLowerCase();
        ModelRepo source = pushedBase("alice/holder-" + t, transport, "holder");
        Files.copy(Fixtures.checkpoint("lora_merged.safetensors"), source.file(MODEL), REPLACE);
        source.git("commit", "-qam", "lora").assertOk();
        source.git("push", "-q", "origin", "HEAD:main").assertOk();

        ModelRepo a = pushedBase("alice/prober-" + t, transport, "prober");
        Files.copy(Fixtures.checkpoint("lora_merged.safetensors"), a.file(MODEL), REPLACE);
        a.git("commit", "-qam", "held elsewhere").assertOk();
        List<String> heldElsewhere = normalized(remoteLines(a.git("push", "--no-verify", "origin", "HEAD:main")
                .assertFailed()));
        a.git("reset", "-q", "--hard", "HEAD~1").assertOk();
        Files.write(a.file(MODEL), CheckpointFiles.of(Files.readAllBytes(Fixtures.checkpoint(
                "lora_merged.safetensors"))).withFloats(C_ATTN, v -> CheckpointFiles.scaled(v, 3f)));
        a.git("commit", "-qam", "held nowhere").assertOk();
        List<String> heldNowhere = normalized(remoteLines(a.git("push", "--no-verify", "origin", "HEAD:main")
                .assertFailed()));
        assertEquals("remote: theta:   [tensors-present] COMMIT model.safetensors NAME: tensor ID is not on the "
                + "server", heldElsewhere.get(1));
        assertEquals(heldElsewhere.get(1), heldNowhere.get(1), "the same words whether or not another repo has it");
        assertEquals(heldElsewhere.get(heldElsewhere.size() - 1), heldNowhere.get(heldNowhere.size() - 1));
    }

    // ---- 2. branch rules ---------------------------------------------------------------------------------------

    /** An admin's mistyped rule is refused with what is wrong, and the rules already in place stay as they were. */
    @Test
    void protectRefusesPatternsAndGlobsItCannotUse() {
        String repo = "alice/mistyped";
        server.admin("repo", "create", repo).assertOk();
        server.admin("repo", "protect", repo, "release/*", "--only-parameters", "*lora*").assertOk();
        String before = server.admin("repo", "show", repo).assertOk().out();
        assertTrue(before.contains("release/*"), before);

        Map<List<String>, String> refused = new java.util.LinkedHashMap<>();
        refused.put(List.of("refs/heads/main"), "'refs/heads/main': name the branch without refs/heads/ (main, "
                + "release/*)");
        refused.put(List.of("main..x"), "'main..x' is not a branch name or pattern (no leading or trailing '/', "
                + "'//', '..', or ending '.lock' or '.')");
        refused.put(List.of("ma:in"), "'ma:in' holds a character no branch name may hold (':')");
        refused.put(List.of("x".repeat(5000)), "branch pattern of 5000 characters (at most ");
        refused.put(List.of("main", "--only-parameters", ""), "an empty parameter glob matches nothing; use '*' for "
                + "every parameter");
        refused.put(List.of("main", "--only-parameters", "*".repeat(5000)), "parameter glob of 5000 characters "
                + "(at most ");
        for (Map.Entry<List<String>, String> e : refused.entrySet()) {
            List<String> args = new ArrayList<>(List.of("repo", "protect", repo));
            args.addAll(e.getKey());
            Cmd.Result r = server.admin(args.toArray(String[]::new)).assertFailed();
            assertTrue(r.err().contains(e.getValue()), r.describe("refused with the reason"));
        }
        assertEquals(before, server.admin("repo", "show", repo).assertOk().out(), "nothing changed");
        Cmd.Result unknown = server.admin("repo", "unprotect", repo, "main").assertFailed();
        assertTrue(unknown.err().contains("main"), unknown.describe("unprotect of a rule that is not there"));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = "SSH")
    void protectedBranchesHoldTheirRules(Transport transport) throws Exception {
        String repo = "alice/protected-" + transport.name().toLowerCase();
        ModelRepo a = pushedBase(repo, transport, "p");
        server.admin("repo", "protect", repo, "main").assertOk();
        String main = serverMain(repo);

        // Alice owns the repository and is held to the rule all the same.
        Cmd.Result delete = a.git("push", "origin", ":main").assertFailed();
        assertEquals(List.of("remote: theta: refs/heads/main rejected: 1 problem",
                "remote: theta:   [protected-delete]: branch main is protected (rule 'main') and may not be deleted",
                "remote: theta:   to fix: an admin can lift the rule: thetahost repo unprotect " + repo + " 'main'"),
                remoteLines(delete));
        assertTrue(delete.err().contains(" ! [remote rejected] main (protected-delete: branch main is protected "
                + "(rule 'main') and may not be deleted)"), delete.err());
        assertEquals(main, serverMain(repo));

        // A parameter added on main.
        byte[] extra = CheckpointFiles.combine(baseFile, CheckpointFiles.of(CheckpointFiles.write(List.of(
                new CheckpointFiles.Tensor("extra.weight", DType.F32, new long[] {4}, new byte[16])))));
        Files.write(a.file(MODEL), extra);
        a.git("commit", "-qam", "extra").assertOk();
        String commit = a.git("rev-parse", "--short=7", "HEAD").assertOk().out().strip();
        Cmd.Result added = a.git("push", "origin", "HEAD:main").assertFailed();
        assertEquals("remote: theta:   [protected-shape] " + commit + " model.safetensors extra.weight: added "
                + "(F32 [4]), and branch main is protected (rule 'main') against shape changes",
                remoteLines(added).get(1));
        assertEquals("remote: theta:   to fix: an admin can allow them: thetahost repo protect " + repo
                + " 'main' --allow-shape-changes", remoteLines(added).get(2));
        assertEquals(main, serverMain(repo));
        server.admin("repo", "protect", repo, "main", "--allow-shape-changes").assertOk();
        a.git("push", "origin", "HEAD:main").assertOk();
        assertEquals(a.git("rev-parse", "HEAD").assertOk().out().strip(), serverMain(repo));

        // A force push back to the base.
        Cmd.Result forced = a.git("push", "-f", "origin", "HEAD~1:main").assertFailed();
        assertEquals("remote: theta:   [protected-force-push]: branch main is protected (rule 'main'): a "
                + "non-fast-forward update (force push) would drop its commits", remoteLines(forced).get(1));
        assertEquals(a.git("rev-parse", "HEAD").assertOk().out().strip(), serverMain(repo));
        server.admin("repo", "protect", repo, "main", "--allow-force-push").assertOk();
        a.git("push", "-q", "-f", "origin", "HEAD~1:main").assertOk();
        assertEquals(main, serverMain(repo));

        // An adapters-only branch: adding LoRA factors passes, changing a base weight does not.
        server.admin("repo", "protect", repo, "adapters/*", "--only-parameters", "*lora*",
                "--allow-shape-changes").assertOk();
        assertTrue(server.admin("repo", "show", repo).assertOk().out().contains(
                "protect: 'adapters/*' --only-parameters '*lora*' --allow-shape-changes\n"));
        a.git("checkout", "-q", "-b", "adapters/rte", "HEAD~1").assertOk();
        Files.write(a.file(MODEL), CheckpointFiles.combine(baseFile,
                CheckpointFiles.read(Fixtures.checkpoint("adapter_model.safetensors"))));
        a.git("commit", "-qam", "adapter").assertOk();
        a.git("push", "-q", "origin", "adapters/rte").assertOk();
        assertEquals(a.git("rev-parse", "HEAD").assertOk().out().strip(),
                Repos.serverRef(server, repo, "refs/heads/adapters/rte"));
        // The base weight change goes to an unprotected branch first, then is offered to the adapters branch.
        Files.write(a.file(MODEL), CheckpointFiles.combine(CheckpointFiles.of(baseFile.withFloats(C_ATTN,
                v -> CheckpointFiles.scaled(v, 0.5f))), CheckpointFiles.read(Fixtures.checkpoint(
                "adapter_model.safetensors"))));
        a.git("commit", "-qam", "base weight").assertOk();
        String weight = a.git("rev-parse", "--short=7", "HEAD").assertOk().out().strip();
        a.git("push", "-q", "origin", "HEAD:wip").assertOk();
        Cmd.Result sneaked = a.git("push", "origin", "HEAD:adapters/rte").assertFailed();
        assertEquals("remote: theta:   [protected-parameters] " + weight + " model.safetensors " + C_ATTN + ": "
                + "changed, but on adapters/rte only parameters matching *lora* may change (rule 'adapters/*')",
                remoteLines(sneaked).get(1));

        // Unprotected, main can be deleted.
        server.admin("repo", "unprotect", repo, "main").assertOk();
        a.git("push", "-q", "origin", ":main").assertOk();
        assertEquals(null, serverMain(repo));
        assertNotEquals(0, server.admin("repo", "unprotect", repo, "main").exit());
    }

    // ---- 3. merges --------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = "HTTP")
    void mergesAreVerified(Transport transport) throws Exception {
        String repo = "alice/merges-" + transport.name().toLowerCase();
        ModelRepo a = pushedBase(repo, transport, "m");
        String baseCommit = a.git("rev-parse", "HEAD").assertOk().out().strip();
        String left = branchWith(a, "left", baseCommit, LN, 1.5f);
        String right = branchWith(a, "right", baseCommit, LN, 0.5f);
        a.git("checkout", "-q", "-b", "merge-average", left).assertOk();
        a.git("-c", "theta.mergeStrategy=average", "merge", "-q", "--no-edit", right).assertOk();
        String merged = a.git("rev-parse", "HEAD").assertOk().out().strip();
        // A second merge of the same sides with another weight, pushed together with the first.
        a.git("checkout", "-q", "-b", "merge-quarter", left).assertOk();
        a.git("-c", "theta.mergeStrategy=weighted:0.25", "merge", "-q", "--no-edit", right).assertOk();
        String merged2 = a.git("rev-parse", "HEAD").assertOk().out().strip();
        a.git("push", "-q", "origin", merged + ":refs/heads/main", merged2 + ":refs/heads/quarter").assertOk();
        assertEquals(merged, serverMain(repo), "the averaged merge, recomputed by the server, landed");
        assertEquals(merged2, Repos.serverRef(server, repo, "refs/heads/quarter"));

        Manifest m = ManifestFormat.read(a.git("cat-file", "blob", merged + ":" + MODEL).assertOk().out()
                .getBytes(StandardCharsets.UTF_8));
        TensorId baseLn = TensorId.of(DType.F32, Shape.of(160), baseFile.raw(LN));

        // The merge base's value, which neither parent holds, slipped into the merge without a declaration.
        String hidden = commitAsIs(alice, a.dir, merged, MODEL, ManifestFormat.write(withTensor(m, LN, baseLn,
                List.of())), "hidden", left, right);
        Cmd.Result undeclared = a.git("push", "--no-verify", "origin", hidden + ":refs/heads/hidden").assertFailed();
        assertEquals(List.of("remote: theta: refs/heads/hidden rejected: 1 problem",
                "remote: theta:   [merge] " + hidden.substring(0, 7) + " model.safetensors " + LN + ": holds a "
                        + "tensor neither parent has, and the manifest declares no merge for it: a change hidden in a "
                        + "merge",
                "remote: theta:   to fix: merge with theta installed (its merge driver declares each merge it makes), "
                        + "or give this parameter one parent's tensor"), remoteLines(undeclared));

        // A declared average that is not the average: the first parent's tensor. (The base's value would be the true
        // average of x1.5 and x0.5.)
        TensorId leftLn = ManifestFormat.read(a.git("cat-file", "blob", left + ":" + MODEL).assertOk().out()
                .getBytes(StandardCharsets.UTF_8)).tensors().stream().filter(t -> t.name().equals(LN)).findFirst()
                .orElseThrow().id();
        String lie = commitAsIs(alice, a.dir, merged, MODEL, ManifestFormat.write(withTensor(m, LN, leftLn,
                m.merges())), "not the average", left, right);
        Cmd.Result wrong = a.git("push", "--no-verify", "origin", lie + ":refs/heads/lie").assertFailed();
        assertTrue(remoteLines(wrong).get(1).startsWith("remote: theta:   [merge] " + lie.substring(0, 7)
                + " model.safetensors " + LN + ": is not the average of the parents' tensors it declares: the server "
                + "recomputed sha256:"), wrong.err());

        // Three parents touching the checkpoint.
        String octopus = commitAsIs(alice, a.dir, merged, MODEL, a.git("cat-file", "blob", merged + ":" + MODEL)
                .assertOk().out().getBytes(StandardCharsets.UTF_8), "octopus", left, right, baseCommit);
        Cmd.Result three = a.git("push", "--no-verify", "origin", octopus + ":refs/heads/octopus").assertFailed();
        assertEquals("remote: theta:   [merge-octopus] " + octopus.substring(0, 7) + " model.safetensors: a merge of 3 "
                + "parents changes this checkpoint; theta verifies merges of two parents only",
                remoteLines(three).get(1));
        for (String ref : List.of("hidden", "lie", "octopus")) {
            assertEquals(null, Repos.serverRef(server, repo, "refs/heads/" + ref), ref);
        }
    }

    // ---- 4. atomic and separate refs, and check-merge ----------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Transport.class)
    void atomicPushesFailTogetherAndOthersRefByRef(Transport transport) throws Exception {
        String repo = "alice/atomic-" + transport.name().toLowerCase();
        ModelRepo a = pushedBase(repo, transport, "atomic");
        a.git("commit", "-q", "--allow-empty", "-m", "notes").assertOk();
        String good = a.git("rev-parse", "HEAD").assertOk().out().strip();
        String bad = commitAsIs(alice, a.dir, "HEAD", MODEL, Files.readAllBytes(Fixtures.checkpoint(
                "base.safetensors")), "raw");

        Cmd.Result atomic = a.git("push", "--atomic", "--no-verify", "origin", good + ":refs/heads/good",
                bad + ":refs/heads/bad").assertFailed();
        assertTrue(atomic.err().contains("! [remote rejected] " + bad.substring(0, 7)), atomic.err());
        assertEquals(null, Repos.serverRef(server, repo, "refs/heads/good"), "atomic: the good ref did not land");
        assertEquals(null, Repos.serverRef(server, repo, "refs/heads/bad"));

        Cmd.Result separate = a.git("push", "--no-verify", "origin", good + ":refs/heads/good",
                bad + ":refs/heads/bad").assertFailed();
        assertTrue(separate.err().contains("remote: theta: refs/heads/bad rejected: 1 problem"), separate.err());
        assertEquals(good, Repos.serverRef(server, repo, "refs/heads/good"), "without --atomic the good ref lands");
        assertEquals(null, Repos.serverRef(server, repo, "refs/heads/bad"));
        // The rejected commit is in no advertised ref, so it cannot be fetched by id.
        Path other = base.resolve("fetch-rejected-" + transport.name().toLowerCase());
        alice.git(base, "init", "-q", other.toString()).assertOk();
        Cmd.Result fetch = alice.git(other, "fetch", url(alice, transport, repo), bad);
        assertNotEquals(0, fetch.exit(), fetch.all());
        // It is still in the repository, unreferenced, until gc prunes it.
        assertEquals("commit", server.objectType(repo, bad), "the rejected commit's objects stay until gc");
        server.admin("gc", "--grace", "0").assertOk();
        assertEquals(null, server.objectType(repo, bad), "gc pruned the rejected commit");
        assertEquals(good, Repos.serverRef(server, repo, "refs/heads/good"));
        Repos.assertServerIntact(server, repo);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = "SSH")
    void checkMergeReportsWhatAMergeWouldResolve(Transport transport) throws Exception {
        String repo = "alice/check-merge-" + transport.name().toLowerCase();
        ModelRepo a = pushedBase(repo, transport, "cm");
        String baseCommit = a.git("rev-parse", "HEAD").assertOk().out().strip();
        branchWith(a, "main", baseCommit, LN, 1.5f);
        a.git("push", "-q", "origin", "main").assertOk();
        branchWith(a, "feature", baseCommit, LN, 0.5f);

        Cmd.Result report = a.git("push", "-o", "theta.check-merge=main", "origin", "feature").assertOk();
        assertEquals(List.of("remote: theta: check-merge refs/heads/feature with main (merge base "
                + baseCommit.substring(0, 7) + "): 1 parameter a merge would have to resolve",
                "remote: theta:   model.safetensors " + LN + ": changed on both sides"), remoteLines(report));
        assertEquals(a.git("rev-parse", "HEAD").assertOk().out().strip(),
                Repos.serverRef(server, repo, "refs/heads/feature"), "the push went on");

        a.git("commit", "-q", "--allow-empty", "-m", "more").assertOk();
        Cmd.Result unknown = a.git("push", "-o", "theta.check-merge=nosuch", "origin", "feature").assertFailed();
        assertEquals(List.of("remote: theta: theta.check-merge: there is no branch 'nosuch' in " + repo + " to check "
                + "a merge with (git ls-remote shows the branches)"), remoteLines(unknown));
        assertNotEquals(a.git("rev-parse", "HEAD").assertOk().out().strip(),
                Repos.serverRef(server, repo, "refs/heads/feature"));
    }

    /**
     * Branch {@code name} (made or moved) at {@code from}, with one parameter of the base scaled, committed with
     * theta; returns the commit.
     */
    static String branchWith(ModelRepo a, String name, String from, String parameter, float factor)
            throws Exception {
        a.git("checkout", "-q", "-B", name, from).assertOk();
        Files.write(a.file(MODEL), baseFile.withFloats(parameter, v -> CheckpointFiles.scaled(v, factor)));
        a.git("commit", "-qam", name + ": " + parameter + " x" + factor).assertOk();
        return a.git("rev-parse", "HEAD").assertOk().out().strip();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static final java.nio.file.CopyOption REPLACE = java.nio.file.StandardCopyOption.REPLACE_EXISTING;

    /** A repository whose main holds the base checkpoint, pushed with theta, and alice's clone of it. */
    static ModelRepo pushedBase(String repo, Transport transport, String dirName) {
        server.admin("repo", "create", repo).assertOk();
        Path dir = base.resolve(dirName + "-" + transport.name().toLowerCase());
        alice.git(base, "clone", "-q", url(alice, transport, repo), dir.toString()).assertOk();
        ModelRepo a = new ModelRepo(alice, dir, NO_PROMPT);
        a.theta("track", MODEL).assertOk();
        try {
            Files.copy(Fixtures.checkpoint("base.safetensors"), a.file(MODEL));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        a.git("add", MODEL).assertOk();
        a.git("commit", "-qm", "base").assertOk();
        a.git("push", "-q", "origin", "HEAD:main").assertOk();
        return a;
    }

    /** The URL as people paste it: over HTTP with the user and token in it. */
    static String url(GitUser user, Transport transport, String repo) {
        return transport == Transport.SSH ? user.url(transport, repo)
                : user.url(transport, repo).replace("http://", "http://" + user.name() + ":" + user.token() + "@");
    }

    static String serverMain(String repo) {
        return Repos.serverRef(server, repo, "refs/heads/main");
    }

    /** The server's lines in git's output, trailing padding removed. */
    static List<String> remoteLines(Cmd.Result r) {
        List<String> out = new ArrayList<>();
        for (String line : r.err().split("[\r\n]")) {
            // Progress lines are overwritten in place (\r); a person reads only the last, which is not a finding.
            if (line.startsWith("remote: theta:") && !line.startsWith("remote: theta: checking ")) {
                out.add(line.stripTrailing());
            }
        }
        return out;
    }

    /** Lines with commit ids, tensor ids and parameter names replaced, to compare their form. */
    static List<String> normalized(List<String> lines) {
        return lines.stream().map(l -> l.replaceAll("sha256:[0-9a-f]{16}\\.\\.\\.", "ID")
                .replaceAll("\\] [0-9a-f]{7} ", "] COMMIT ").replaceAll("safetensors \\S+:", "safetensors NAME:"))
                .toList();
    }

    /**
     * A commit made with git's plumbing, so no filter touches the content: {@code path} holds {@code content} on top
     * of {@code parent}'s tree, with {@code parents} (default: {@code parent}). Returns the full id.
     */
    static String commitAsIs(GitUser user, Path work, String parent, String path, byte[] content, String message,
            String... parents) {
        String blob = Cmd.of("git", "hash-object", "-w", "--no-filters", "--stdin").in(work).env(user.env())
                .stdin(content).run().assertOk().out().strip();
        return commitBlob(user, work, parent, path, blob, message, parents);
    }

    /** A commit of {@code parent}'s tree with {@code path} set to a blob already in {@code work}'s object store. */
    static String commitBlob(GitUser user, Path work, String parent, String path, String blob, String message,
            String... parents) {
        Path index = work.resolve(".git/plumbing-index");
        Map<String, String> env = new java.util.HashMap<>(user.env());
        env.put("GIT_INDEX_FILE", index.toString());
        Cmd.of("git", "read-tree", parent).in(work).env(env).run().assertOk();
        Cmd.of("git", "update-index", "--add", "--cacheinfo", "100644," + blob + "," + path).in(work).env(env).run()
                .assertOk();
        String tree = Cmd.of("git", "write-tree").in(work).env(env).run().assertOk().out().strip();
        List<String> cmd = new ArrayList<>(List.of("git", "commit-tree", tree, "-m", message));
        for (String p : parents.length == 0 ? new String[] {parent} : parents) {
            cmd.add("-p");
            cmd.add(p);
        }
        return Cmd.of(cmd).in(work).env(user.env()).run().assertOk().out().strip();
    }

    /** The manifest with one parameter declared in another shape of the same size; still canonical. */
    static Manifest reshaped(Manifest m, String name, Shape shape) throws Exception {
        List<TensorSpec> specs = new ArrayList<>();
        List<TensorId> ids = new ArrayList<>();
        for (TensorEntry e : m.header().tensors()) {
            specs.add(new TensorSpec(e.name(), e.dtype(), e.name().equals(name) ? shape : e.shape()));
        }
        SafetensorsHeader h = SafetensorsHeader.build(m.header().hasMetadata() ? m.header().metadata() : null, specs);
        for (TensorEntry e : h.tensors()) {
            ids.add(m.tensors().stream().filter(t -> t.name().equals(e.name())).findFirst().orElseThrow().id());
        }
        return Manifest.of(h, ids, m.gaps());
    }

    /** The manifest with one parameter's tensor replaced, its declared merges kept. */
    static Manifest withTensor(Manifest m, String name, TensorId id, List<DeclaredMerge> merges) {
        List<TensorId> ids = new ArrayList<>();
        for (ManifestTensor t : m.tensors()) {
            ids.add(t.name().equals(name) ? id : t.id());
        }
        Manifest out = Manifest.of(m.header(), ids, m.gaps());
        return merges.isEmpty() ? out : out.withMerges(merges);
    }
}
