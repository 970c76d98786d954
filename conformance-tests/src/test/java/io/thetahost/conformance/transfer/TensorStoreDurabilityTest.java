package io.thetahost.conformance.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import io.thetahost.conformance.support.GeneratedCheckpoint;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.Repos;
import io.thetahost.conformance.support.Theta;
import io.thetahost.conformance.support.ThetahostServer;
import io.thetahost.conformance.support.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's tensor store across a SIGKILL mid-upload and under the administrator's fsck and gc, run both while
 * the daemon serves (through its admin socket) and while it is stopped (on the store itself).
 */
@Timeout(600)
class TensorStoreDurabilityTest {
    @org.junit.jupiter.api.BeforeAll
    static void embeddedOnly() {
        // The RocksDB store under one data directory, with and without its daemon; for several fronts, the same
        // failures are SeveralFrontsTest's and cluster/tensors' tests'.
        ThetahostServer.assumeEmbedded("the embedded store's own durability");
    }

    private static final Pattern UPLOADING = Pattern.compile("uploading tensors: (\\d+)/");
    private static final Pattern UPLOADED = Pattern.compile("uploaded (\\d+) tensors \\((\\d+) new to the server\\), "
            + "(\\d+) already there");

    @TempDir
    Path dir;

    /** The SSH url of a repository on a daemon that may have restarted on another port since the user was made. */
    private static String sshUrl(GitUser user, ThetahostServer server, String repo) {
        return "ssh://" + user.name() + "@127.0.0.1:" + server.sshPort() + "/" + repo + ".git";
    }

    private static Cmd.Result fsckClean(Path data) {
        Cmd.Result fsck = ThetahostServer.admin(data, "fsck");
        assertEquals(0, fsck.exit(), fsck.all());
        assertTrue(fsck.out().contains("no problems"), fsck.all());
        return fsck;
    }

    @Test
    void anUploadKilledMidwayLeavesACleanStoreAndItsRetrySucceeds() throws Exception {
        Path data = dir.resolve("data");
        int tensors = 48;
        Path big = GeneratedCheckpoint.write(dir.resolve("big.safetensors"), tensors, 1024, 1024, 7);
        Path store = dir.resolve("client-store");
        GitUser alice;
        Path err = dir.resolve("upload.err");
        Process upload;
        try (ThetahostServer first = ThetahostServer.start(data)) {
            alice = GitUser.create(first, dir, "alice");
            first.admin("repo", "create", "alice/big").assertOk();
            upload = Cmd.of(Fixtures.binTheta().toString(), "tensors", "upload", sshUrl(alice, first, "alice/big"),
                    big.toString(), "--store", store.toString()).in(dir).env(alice.env()).builder()
                    .redirectOutput(dir.resolve("upload.out").toFile()).redirectError(err.toFile()).start();
            // Half the tensors written into the connection: the daemon is storing them, one batch per tensor.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (upload.isAlive() && sentSoFar(err) < tensors / 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(upload.isAlive(), "the upload ended before the kill: " + Files.readString(err));
            first.process().destroyForcibly();
            assertEquals(137, first.awaitExit(Duration.ofSeconds(30)), "SIGKILL");
        }
        assertTrue(upload.waitFor(2, TimeUnit.MINUTES), "the client gives up once the daemon is gone");
        assertNotEquals(0, upload.exitValue(), "the cut-off upload fails: " + Files.readString(err));

        fsckClean(data);

        try (ThetahostServer second = ThetahostServer.start(data)) {
            String url = sshUrl(alice, second, "alice/big");
            Cmd.Result retry = Theta.run(alice, dir, "tensors", "upload", url, big.toString(), "--store",
                    store.toString()).assertOk();
            Matcher m = UPLOADED.matcher(retry.out());
            assertTrue(m.find(), retry.out());
            int sent = Integer.parseInt(m.group(1));
            int already = Integer.parseInt(m.group(3));
            assertEquals(tensors, sent + already, retry.out());
            assertTrue(already > 0, "what the daemon had stored before the kill is kept: " + retry.out());

            Path manifest = dir.resolve("big.manifest.json");
            Files.writeString(manifest, Theta.run(alice, dir, "tensors", "manifest", big.toString()).assertOk().out());
            Path out = dir.resolve("downloaded.safetensors");
            Theta.run(alice, dir, "tensors", "download", url, manifest.toString(), "--store",
                    dir.resolve("fresh-store").toString(), "-o", out.toString()).assertOk();
            assertEquals(-1L, Files.mismatch(big, out), "the downloaded checkpoint is the one uploaded, exactly");
            fsckClean(data);
        }
    }

    private static int sentSoFar(Path err) throws Exception {
        Matcher m = UPLOADING.matcher(Files.readString(err));
        int last = 0;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    @Test
    void fsckAndGcWorkWhileTheDaemonRunsAndWhileItIsStopped() throws Exception {
        Path data = dir.resolve("data");
        Path base = Fixtures.checkpoint("base.safetensors");
        Path lora = Fixtures.checkpoint("lora_merged.safetensors");
        Path bf16 = Fixtures.checkpoint("base_bf16.safetensors");
        Path store = dir.resolve("client-store");
        GitUser alice;
        try (ThetahostServer server = ThetahostServer.start(data)) {
            alice = GitUser.create(server, dir, "alice");
            String url = alice.url(Transport.SSH, "alice/gc");
            server.admin("repo", "create", "alice/gc").assertOk();
            Theta.run(alice, dir, "tensors", "upload", url, base.toString(), "--store", store.toString()).assertOk();
            Theta.run(alice, dir, "tensors", "upload", url, lora.toString(), "--base", base.toString(), "--adapter",
                    Fixtures.checkpoint("adapter_model.safetensors").toString(), "--store", store.toString())
                    .assertOk();
            Theta.run(alice, dir, "tensors", "upload", url, bf16.toString(), "--store", store.toString()).assertOk();

            // Only lora_merged is pushed: its 12 changed tensors are patches whose bases are base's tensors.
            Path work = Files.createDirectories(dir.resolve("work"));
            alice.git(work, "init", "-q").assertOk();
            String manifest = Theta.run(alice, dir, "tensors", "manifest", lora.toString()).assertOk().out();
            Repos.commitFile(alice, work, "model.manifest.json", manifest, "lora_merged");
            alice.git(work, "push", "-q", url, "main").assertOk();

            // While the daemon holds the store: the commands go through its admin socket.
            Cmd.Result fsck = fsckClean(data);
            assertTrue(fsck.out().contains("checked 116 tensors"), fsck.out());
            Cmd.Result gc = server.admin("gc").assertOk();
            assertTrue(gc.out().contains("kept 116 tensors, removed 0 tensors"), "uploads within a day are kept: "
                    + gc.out());
        }

        // Stopped: the same commands open the store themselves.
        Cmd.Result gc = ThetahostServer.admin(data, "gc", "--grace", "0").assertOk();
        assertTrue(gc.out().contains("52 tensors referenced by the manifests of 1 repositories"), gc.out());
        assertTrue(gc.out().contains("kept 64 tensors, removed 52 tensors"),
                "base_bf16 goes; lora_merged stays with the base tensors its patches need: " + gc.out());
        assertTrue(fsckClean(data).out().contains("checked 64 tensors"));

        try (ThetahostServer server = ThetahostServer.start(data)) {
            String url = sshUrl(alice, server, "alice/gc");
            Path out = dir.resolve("lora.safetensors");
            Path manifest = dir.resolve("lora.manifest.json");
            Files.writeString(manifest, Theta.run(alice, dir, "tensors", "manifest", lora.toString()).assertOk()
                    .out());
            Theta.run(alice, dir, "tensors", "download", url, manifest.toString(), "--store",
                    dir.resolve("fresh-store").toString(), "-o", out.toString()).assertOk();
            assertEquals(-1L, Files.mismatch(lora, out), "what gc kept still decodes to lora_merged exactly");
            Cmd.Result again = Theta.run(alice, dir, "tensors", "upload", url, bf16.toString(), "--store",
                    store.toString()).assertOk();
            assertTrue(again.out().contains("(52 new to the server), 0 already there"),
                    "the collected tensors are gone: " + again.out());
        }
        fsckClean(data);
    }
}
