package io.thetahost.conformance.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import io.thetahost.conformance.support.ModelRepo;
import io.thetahost.conformance.support.GeneratedCheckpoint;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.ThetahostServer;
import io.thetahost.conformance.support.Transport;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What goes wrong around the workflow, for real: a local store corrupted on disk, a server that lacks tensors a
 * commit names, a push the server will not take tensors for, and a download cut off by the daemon dying. No wrong
 * checkpoint is ever written, every message names what is wrong, and a retry completes.
 */
class ModelWorkflowFaultsTest {
    private static final String MODEL = "model.safetensors";
    private static final Map<String, String> NO_PROMPT = Map.of("THETA_NO_PROMPT", "1");
    private static final Pattern DOWNLOADED = Pattern.compile("theta: downloaded (\\d+) tensors");

    @TempDir
    Path dir;

    /** A repository with the base checkpoint pushed from clone "a"; returns that clone. */
    private ModelRepo pushedBase(ThetahostServer server, GitUser alice, String name, Path checkpoint)
            throws Exception {
        server.admin("repo", "create", name).assertOk();
        alice.git(dir, "clone", alice.url(Transport.SSH, name), "a").assertOk();
        ModelRepo a = new ModelRepo(alice, dir.resolve("a"), NO_PROMPT);
        a.theta("install").assertOk();
        a.theta("track", MODEL).assertOk();
        Files.copy(checkpoint, a.file(MODEL));
        a.git("add", MODEL).assertOk();
        a.git("commit", "-m", "base").assertOk();
        a.git("push", "origin", "HEAD:main").assertOk();
        return a;
    }

    @Test
    void aCorruptedLocalStoreFailsNamingTheTensorAndWritesNoCheckpoint() throws Exception {
        try (ThetahostServer server = ThetahostServer.start(dir.resolve("data"))) {
            GitUser alice = GitUser.create(server, dir, "alice");
            ModelRepo a = pushedBase(server, alice, "alice/corrupt", Fixtures.checkpoint("base.safetensors"));
            // The tensors live in RocksDB's blob files: flip a byte in the middle of the largest, as a bad disk would.
            Path largest;
            try (Stream<Path> files = Files.list(a.file(".git/theta/rocksdb"))) {
                largest = files.filter(p -> p.toString().endsWith(".blob"))
                        .max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
            }
            try (RandomAccessFile f = new RandomAccessFile(largest.toFile(), "rw")) {
                long at = f.length() / 2;
                f.seek(at);
                int b = f.read();
                f.seek(at);
                f.write(b ^ 0x5a);
            }
            Files.delete(a.file(MODEL));
            Cmd.Result checkout = a.git("checkout", "--", MODEL).assertFailed();
            assertTrue(checkout.err().matches("(?s).*theta: smudge model\\.safetensors: tensor 'transformer\\.\\S+' "
                    + "\\(sha256:[0-9a-f]{64}\\).*"), checkout.err());
            assertTrue(Files.notExists(a.file(MODEL)), "no checkpoint was written");
            Cmd.Result theta = a.theta("checkout", MODEL).assertFailed();
            assertTrue(theta.err().contains("tensor 'transformer."), theta.err());
            assertTrue(Files.notExists(a.file(MODEL)), "theta checkout wrote nothing either");
        }
    }

    @Test
    void aServerThatLacksATensorFailsTheCheckoutNamingIt() throws Exception {
        ThetahostServer.assumeEmbedded("it writes into the bare repository on disk, around the daemon");
        try (ThetahostServer server = ThetahostServer.start(dir.resolve("data"))) {
            GitUser alice = GitUser.create(server, dir, "alice");
            ModelRepo a = pushedBase(server, alice, "alice/lacking", Fixtures.checkpoint("base.safetensors"));
            Files.copy(Fixtures.checkpoint("lora_merged.safetensors"), a.file(MODEL),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            a.git("commit", "-am", "lora").assertOk();
            // Pushed without its hook, the LoRA commit names 12 tensors the server never received: refused.
            String before = a.git("ls-remote", "origin", "main").assertOk().out();
            Cmd.Result refused = a.git("push", "--no-verify", "origin", "HEAD:main").assertFailed();
            assertTrue(refused.err().contains("! [remote rejected] HEAD -> main (tensors-present: tensor sha256:"),
                    refused.err());
            assertTrue(refused.err().contains("... and 2 more [tensors-present]"), refused.err());
            assertEquals(before, a.git("ls-remote", "origin", "main").assertOk().out(), "main did not move");
            // Content from before the server checked pushes: written into the bare repository on disk, around the
            // daemon, the refs name 12 tensors the server never received.
            Path bare = dir.resolve("data/repos/alice/lacking.git");
            a.git("push", "--no-verify", bare.toUri().toString(), "HEAD:main").assertOk();

            Cmd.Result clone = alice.git(dir, "clone", alice.url(Transport.SSH, "alice/lacking"), "b");
            assertNotEquals(0, clone.exit(), clone.all());
            assertTrue(clone.err().contains("the remote 'origin' does not have (or does not let you read) 12 "
                    + "tensor(s) of model.safetensors, for example transformer.h.0.attn.c_attn.weight"), clone.err());
            assertTrue(Files.notExists(dir.resolve("b").resolve(MODEL)), "no checkpoint was written");
        }
    }

    @Test
    void aPushWhoseTensorsCannotBeUploadedSendsNoRef() throws Exception {
        try (ThetahostServer server = ThetahostServer.start(dir.resolve("data"))) {
            GitUser alice = GitUser.create(server, dir, "alice");
            ModelRepo a = pushedBase(server, alice, "alice/lost", Fixtures.checkpoint("base.safetensors"));
            String before = a.git("ls-remote", "origin", "main").assertOk().out();
            Files.copy(Fixtures.checkpoint("lora_merged.safetensors"), a.file(MODEL),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            a.git("commit", "-am", "lora").assertOk();
            // The local store is lost before the push: the new tensors exist nowhere the hook can send them from.
            deleteTree(a.file(".git/theta"));
            Cmd.Result push = a.git("push", "origin", "HEAD:main").assertFailed();
            assertTrue(push.err().contains("could not upload the tensors of the pushed checkpoints, so no ref was "
                    + "pushed: tensor transformer.h.0.attn.c_attn.weight (sha256:") && push.err().contains(
                    "is not in the local store, and the server does not have it either"), push.err());
            assertEquals(before, a.git("ls-remote", "origin", "main").assertOk().out(), "main did not move");
        }
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void aDownloadCutOffByTheDaemonDyingCompletesOnRetry() throws Exception {
        int tensors = 24;
        Path big = GeneratedCheckpoint.write(dir.resolve("big.safetensors"), tensors, 1024, 1024, 11);
        Path data = dir.resolve("data");
        GitUser alice;
        Path clone = dir.resolve("b");
        Path err = dir.resolve("clone.err");
        Process cloning;
        try (ThetahostServer first = ThetahostServer.start(data)) {
            alice = GitUser.create(first, dir, "alice");
            pushedBase(first, alice, "alice/big", big);
            cloning = Cmd.of("git", "clone", alice.url(Transport.SSH, "alice/big"), clone.toString()).in(dir)
                    .env(alice.env()).builder().redirectErrorStream(false).redirectError(err.toFile())
                    .redirectOutput(dir.resolve("clone.out").toFile()).start();
            // A third of the tensors stored in the clone's store: the download is under way.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (cloning.isAlive() && storeBytes(clone.resolve(".git/theta/rocksdb")) < 32L << 20
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(cloning.isAlive(), "the clone ended before the kill: " + Files.readString(err));
            first.killAll();
            assertEquals(137, first.awaitExit(Duration.ofSeconds(30)), "SIGKILL");
        }
        long killed = System.nanoTime();
        assertTrue(cloning.waitFor(2, TimeUnit.MINUTES), "the clone gives up once the daemon is gone");
        assertLostWithin(killed, Files.readString(err), "the download");
        assertNotEquals(0, cloning.exitValue(), Files.readString(err));
        assertNotEquals(-1L, Files.exists(clone.resolve(MODEL)) ? Files.mismatch(big, clone.resolve(MODEL)) : 0L,
                "no whole checkpoint yet");

        try (ThetahostServer second = ThetahostServer.start(data)) {
            ModelRepo b = new ModelRepo(alice, clone, NO_PROMPT);
            b.git("remote", "set-url", "origin", alice.url(Transport.SSH, "alice/big").replaceFirst(":\\d+/",
                    ":" + second.sshPort() + "/")).assertOk();
            Cmd.Result retry = b.git("checkout", "-f", "HEAD").assertOk();
            Matcher m = DOWNLOADED.matcher(retry.err());
            assertTrue(m.find(), retry.err());
            int fetched = Integer.parseInt(m.group(1));
            assertTrue(fetched > 0 && fetched < tensors, "the retry fetches only what the first try had not stored: "
                    + retry.err());
            assertEquals(-1L, Files.mismatch(big, b.file(MODEL)), "the retried checkout is exact");
            b.assertClean();

            // The other way and the other transport: an upload over HTTP cut off by the daemon dying.
            GeneratedCheckpoint.write(b.file(MODEL), 16, 1024, 1024, 12);
            b.git("commit", "-qam", "an update").assertOk();
            Path pushErr = dir.resolve("push.err");
            Path serverStore = data.resolve("tensors/rocksdb");
            long storedBefore = storeBytes(serverStore);
            // The token in the URL, as people paste it (alice's stored credentials are for the first daemon's port).
            String url = "http://alice:" + alice.token() + "@127.0.0.1:" + second.httpPort() + "/alice/big.git";
            Process pushing = Cmd.of("git", "push", url, "HEAD:main").in(clone)
                    .env(alice.env()).env(NO_PROMPT).builder().redirectError(pushErr.toFile())
                    .redirectOutput(dir.resolve("push.out").toFile()).start();
            // Under way: two of the 16 tensors (3.5 MB each as sent) and part of a third stored by the daemon (its
            // store's files grew by 7 MiB), or the client's progress showing (from a second into the upload). Waiting
            // for the progress alone lost the race on a fast run: the whole upload took under a second, printed no
            // progress, and the push ended before the kill.
            long pushDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (pushing.isAlive() && storeBytes(serverStore) - storedBefore < 7L << 20
                    && !Files.readString(pushErr).contains("theta: uploading tensors")
                    && System.nanoTime() < pushDeadline) {
                Thread.sleep(20);
            }
            assertTrue(pushing.isAlive(), "the push ended before the kill: " + Files.readString(pushErr));
            second.killAll();
            assertEquals(137, second.awaitExit(Duration.ofSeconds(30)), "SIGKILL");
            long pushKilled = System.nanoTime();
            assertTrue(pushing.waitFor(2, TimeUnit.MINUTES), "the push gives up once the daemon is gone");
            assertNotEquals(0, pushing.exitValue());
            assertLostWithin(pushKilled, Files.readString(pushErr), "the upload");
        }
    }

    /** The client said the connection was lost, within seconds of the daemon's death (it took a minute over HTTP). */
    private static void assertLostWithin(long killedNanos, String stderr, String what) {
        long seconds = (System.nanoTime() - killedNanos) / 1_000_000_000L;
        System.out.printf("%s ended %d s after the daemon was killed%n", what, seconds);
        assertTrue(stderr.contains("the connection to the server was lost"), what + ": " + stderr);
        assertTrue(seconds < 15, what + " took " + seconds + " s to notice the daemon had gone");
    }

    /** The bytes of a RocksDB store's files (its log grows as uploaded or downloaded tensors are stored). */
    private static long storeBytes(Path store) throws Exception {
        if (!Files.isDirectory(store)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(store)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
