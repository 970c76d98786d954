package io.thetahost.conformance.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.GeneratedCheckpoint;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.ModelRepo;
import io.thetahost.conformance.support.ThetahostServer;
import io.thetahost.conformance.support.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two fronts over one PostgreSQL and one s3proxy (bench/cluster.sh), as docs/CLUSTER.md deploys them: what one front
 * takes, the other serves byte for byte; two pushes to one ref through both, one wins; a front killed with SIGKILL
 * mid-upload, mid-push or mid-clone loses nothing acknowledged, the retry through the other succeeds, fsck is clean;
 * a front started again with an empty --data serves at once.
 */
@Timeout(600)
class SeveralFrontsTest {
    private static final String MODEL = "model.safetensors";
    private static final Map<String, String> NO_PROMPT = Map.of("THETA_NO_PROMPT", "1");

    @TempDir
    static Path base;
    static ThetahostServer server;
    static GitUser alice;

    @BeforeAll
    static void start() {
        server = ThetahostServer.startFronts(base.resolve("data"), 2);
        alice = GitUser.create(server, base, "alice");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        server.close();
    }

    private static String ssh(int front, String repo) {
        return "ssh://alice@127.0.0.1:" + server.sshPort(front) + "/" + repo + ".git";
    }

    private static String http(int front, String repo) {
        return "http://127.0.0.1:" + server.httpPort(front) + "/" + repo + ".git";
    }

    /** A clone of {@code repo} through {@code url} with theta installed and the checkpoint tracked. */
    private static ModelRepo cloneWithTheta(String url, String dir) {
        alice.git(base, "clone", "-q", url, dir).assertOk();
        ModelRepo r = new ModelRepo(alice, base.resolve(dir), NO_PROMPT);
        r.theta("install").assertOk();
        return r;
    }

    @Test
    void aCheckpointPushedThroughOneFrontIsClonedThroughTheOtherByteForByte() throws Exception {
        server.admin("repo", "create", "alice/model").assertOk();
        ModelRepo a = cloneWithTheta(ssh(0, "alice/model"), "push-a");
        a.theta("track", MODEL).assertOk();
        Path checkpoint = GeneratedCheckpoint.write(base.resolve("model-v1.safetensors"), 6, 256, 256, 1);
        Files.copy(checkpoint, a.file(MODEL));
        a.git("add", ".gitattributes", MODEL).assertOk();
        a.git("commit", "-qm", "v1").assertOk();
        a.git("push", "-q", "origin", "HEAD:main").assertOk();

        alice.git(base, "clone", "-q", http(1, "alice/model"), "clone-b").assertOk();
        assertEquals(-1L, Files.mismatch(checkpoint, base.resolve("clone-b").resolve(MODEL)),
                "the other front serves the very checkpoint, through stock git and the theta filter");
        server.assertIntact("alice/model");
    }

    @Test
    void twoPushesToOneRefThroughTwoFrontsAtOnce_oneWinsAndTheOtherIsRejectedAsGitRejects() throws Exception {
        server.admin("repo", "create", "alice/race").assertOk();
        Path seed = Files.createDirectories(base.resolve("race-seed"));
        alice.git(seed, "init", "-q", "-b", "main").assertOk();
        Files.writeString(seed.resolve("README.md"), "race\n");
        alice.git(seed, "add", "README.md").assertOk();
        alice.git(seed, "commit", "-qm", "seed").assertOk();
        alice.git(seed, "push", "-q", ssh(0, "alice/race"), "main").assertOk();
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                String[] tips = new String[2];
                Path[] clones = new Path[2];
                for (int i = 0; i < 2; i++) {
                    clones[i] = base.resolve("race-" + round + "-" + i);
                    alice.git(base, "clone", "-q", ssh(i, "alice/race"), clones[i].toString()).assertOk();
                    byte[] blob = new byte[2 << 20];
                    new Random(round * 2L + i).nextBytes(blob);
                    Files.write(clones[i].resolve("weights-" + i + ".bin"), blob);
                    alice.git(clones[i], "add", ".").assertOk();
                    alice.git(clones[i], "commit", "-qm", "round " + round + " by " + i).assertOk();
                    tips[i] = alice.git(clones[i], "rev-parse", "HEAD").assertOk().out().strip();
                }
                List<Future<Cmd.Result>> pushes = List.of(
                        two.submit(push(clones[0], ssh(0, "alice/race"))),
                        two.submit(push(clones[1], http(1, "alice/race"))));
                Cmd.Result first = pushes.get(0).get(3, TimeUnit.MINUTES);
                Cmd.Result second = pushes.get(1).get(3, TimeUnit.MINUTES);
                assertTrue(first.ok() ^ second.ok(), "exactly one push wins:\n" + first.all() + "\n" + second.all());
                Cmd.Result loser = first.ok() ? second : first;
                assertTrue(loser.err().contains("failed to lock") || loser.err().contains("fetch first")
                        || loser.err().contains("non-fast-forward"), loser.err());
                assertEquals(tips[first.ok() ? 0 : 1], server.ref("alice/race", "refs/heads/main"));
                server.assertIntact("alice/race");
            }
        } finally {
            two.shutdownNow();
        }
    }

    private static Callable<Cmd.Result> push(Path clone, String url) {
        return () -> alice.git(clone, "push", url, "HEAD:main");
    }

    @Test
    void aFrontKilledMidUploadAndMidPushLosesNothing_theRetryThroughTheOtherSucceeds_andARestartServesAtOnce()
            throws Exception {
        server.admin("repo", "create", "alice/killed").assertOk();
        ModelRepo a = cloneWithTheta(ssh(0, "alice/killed"), "killed-a");
        a.theta("track", MODEL).assertOk();
        Path checkpoint = GeneratedCheckpoint.write(base.resolve("killed.safetensors"), 16, 1024, 1024, 5);
        Files.copy(checkpoint, a.file(MODEL));
        byte[] bin = new byte[48 << 20];
        new Random(9).nextBytes(bin);
        Files.write(a.file("extra.bin"), bin);
        a.git("add", ".gitattributes", MODEL, "extra.bin").assertOk();
        a.git("commit", "-qm", "a big one").assertOk();
        String tip = a.git("rev-parse", "HEAD").assertOk().out().strip();

        // 1. Killed while theta uploads the tensors, before git sends anything.
        Path bucket = server.servicesDirectory().resolve("s3/blobs/thetahost/tensors");
        Path uploadErr = base.resolve("upload.err");
        Process pushing = startPush(a, uploadErr);
        awaitThen(pushing, () -> bytesUnder(bucket) > 8L << 20, uploadErr);
        server.kill(0);
        assertGaveUp(pushing, uploadErr);
        assertEquals(null, server.ref("alice/killed", "refs/heads/main"), "no ref moved");
        assertTrue(server.admin("fsck").assertOk().out().contains("no problems"), "fsck finds nothing half-stored");

        // 2. The killed front started again with an empty --data, and killed again while git sends the pack (the
        // tensors are stored by then).
        server.restart(0, base.resolve("data-front1-empty"));
        Path packErr = base.resolve("pack.err");
        pushing = startPush(a, packErr);
        awaitThen(pushing, () -> Files.readString(packErr).contains("Writing objects:"), packErr);
        server.kill(0);
        assertGaveUp(pushing, packErr);
        assertEquals(null, server.ref("alice/killed", "refs/heads/main"), "no ref moved");

        // 3. The retry through the other front succeeds; everything is whole.
        a.git("remote", "set-url", "origin", http(1, "alice/killed")).assertOk();
        a.git("push", "-q", "origin", "HEAD:main").assertOk();
        assertEquals(tip, server.ref("alice/killed", "refs/heads/main"));
        server.assertIntact("alice/killed");
        assertTrue(server.admin("fsck").assertOk().out().contains("no problems"));

        // 4. The killed front, started again with another empty --data, serves what the other took at once.
        server.restart(0, base.resolve("data-front1-restarted"));
        alice.git(base, "clone", "-q", ssh(0, "alice/killed"), "after-restart").assertOk();
        assertEquals(-1L, Files.mismatch(checkpoint, base.resolve("after-restart").resolve(MODEL)));
        assertEquals(-1L, Files.mismatch(a.file("extra.bin"), base.resolve("after-restart/extra.bin")));

        // 5. Killed mid-clone (the filter downloading the tensors): the checkout retried through the other front
        // writes the very checkpoint.
        Path clone = base.resolve("clone-killed");
        Path cloneErr = base.resolve("clone.err");
        Process cloning = Cmd.of("git", "clone", ssh(0, "alice/killed"), clone.toString()).in(base).env(alice.env())
                .builder().redirectError(cloneErr.toFile()).redirectOutput(Path.of("/dev/null").toFile()).start();
        awaitThen(cloning, () -> bytesUnder(clone.resolve(".git/theta")) > 16L << 20, cloneErr);
        server.kill(0);
        assertGaveUp(cloning, cloneErr);
        ModelRepo b = new ModelRepo(alice, clone, NO_PROMPT);
        b.git("remote", "set-url", "origin", http(1, "alice/killed")).assertOk();
        b.git("checkout", "-f", "HEAD").assertOk();
        assertEquals(-1L, Files.mismatch(checkpoint, b.file(MODEL)), "the retried checkout is exact");
        server.restart(0, base.resolve("data-front1-third"));
    }

    /** git push of HEAD to main through front 0, its stderr to {@code err}. */
    private static Process startPush(ModelRepo a, Path err) throws Exception {
        return Cmd.of("git", "push", "--progress", ssh(0, "alice/killed"), "HEAD:main").in(a.dir).env(alice.env())
                .env(NO_PROMPT).builder().redirectError(err.toFile()).redirectOutput(Path.of("/dev/null").toFile())
                .start();
    }

    private static void assertGaveUp(Process pushing, Path err) throws Exception {
        assertTrue(pushing.waitFor(2, TimeUnit.MINUTES), "the push gives up once its front is gone");
        assertNotEquals(0, pushing.exitValue(), Files.readString(err));
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits until {@code underWay} holds while {@code process} runs; fails if it ended first. */
    private static void awaitThen(Process process, Condition underWay, Path err) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (process.isAlive() && !underWay.holds() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(process.isAlive(), "it ended before the kill: " + Files.readString(err));
    }

    private static long bytesUnder(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
