package io.thetahost.conformance.robustness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import io.thetahost.conformance.support.GeneratedCheckpoint;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.ModelRepo;
import io.thetahost.conformance.support.Repos;
import io.thetahost.conformance.support.ThetahostServer;
import io.thetahost.conformance.support.Transport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's data directory on a small tmpfs that fills up: uploads and pushes fail on both transports with a
 * message that says so and change nothing; once space is freed the next push succeeds without a restart.
 */
@Timeout(300)
class DiskFullTest {
    private static final String DISK_FULL = "the server is out of disk space; nothing was stored";
    private static final Map<String, String> NO_PROMPT = Map.of("THETA_NO_PROMPT", "1");

    @TempDir
    Path base;

    @Test
    void aFullDiskFailsPushesWithItsReasonAndRecoversWhenSpaceReturns() throws Exception {
        Path disk = Files.createDirectories(base.resolve("disk"));
        Cmd.Result mount = Cmd.of("mount", "-t", "tmpfs", "-o", "size=160m", "tmpfs", disk.toString()).run();
        Assumptions.assumeTrue(mount.ok(), "skipped: this machine does not let the tests mount a tmpfs (they run as"
                + " root in CI): " + mount.err().strip());
        try {
            run(disk);
        } finally {
            Cmd.of("umount", "-l", disk.toString()).run();
        }
    }

    private void run(Path disk) throws Exception {
        Path filler = disk.resolve("filler");
        try (ThetahostServer server = ThetahostServer.start(disk.resolve("data"))) {
            GitUser alice = GitUser.create(server, base, "alice");
            server.admin("repo", "create", "alice/m").assertOk();
            alice.git(base, "clone", "-q", alice.url(Transport.SSH, "alice/m"), "w").assertOk();
            ModelRepo w = new ModelRepo(alice, base.resolve("w"), NO_PROMPT);
            w.theta("install").assertOk();
            w.theta("track", "model.safetensors").assertOk();
            Files.copy(Fixtures.checkpoint("base.safetensors"), w.file("model.safetensors"));
            w.git("add", "model.safetensors").assertOk();
            w.git("commit", "-qm", "base").assertOk();
            w.git("push", "-q", "origin", "HEAD:main").assertOk();
            String pushed = Repos.serverRef(server, "alice/m", "refs/heads/main");

            // A new checkpoint and a plain 3 MB file, each too big for what is left. The checkpoint's 48 MiB of fresh
            // tensors (41 MB as sent) are also more than RocksDB preallocates for its log: a block of 1.1 times the
            // largest memtable, capped at the store's total memtable size (RocksSettings.WRITE_BUFFER_BYTES, 32 MiB),
            // which writes fill without taking new space. The first push left 5 MB in that block: an upload of 21 MB
            // landed in the rest, whole and durable, on a disk otherwise full, when no memtable switch came first.
            GeneratedCheckpoint.write(w.file("model.safetensors"), 12, 1024, 1024, 11);
            w.git("commit", "-qam", "a new checkpoint").assertOk();
            byte[] blob = new byte[3 << 20];
            new Random(5).nextBytes(blob);

            String httpUrl = alice.url(Transport.HTTP, "alice/m");
            for (String url : new String[] {alice.url(Transport.SSH, "alice/m"), httpUrl}) {
                fill(filler, 1 << 20);
                Cmd.Result push = w.git("push", url, "HEAD:main").assertFailed();
                assertTrue(push.err().contains(DISK_FULL), "the upload says why it failed:\n" + push.err());
                assertEquals(pushed, Repos.serverRef(server, "alice/m", "refs/heads/main"), "no ref moved");
            }
            // Plain git, the pack itself too big: JGit's pack write fails the same way, over both transports.
            Path plain = base.resolve("plain");
            alice.git(base, "clone", "-q", "--no-checkout", alice.url(Transport.SSH, "alice/m"), "plain").assertOk();
            Files.write(plain.resolve("data.bin"), blob);
            alice.git(plain, "add", "data.bin").assertOk();
            alice.git(plain, "commit", "-qm", "data").assertOk();
            for (Transport t : Transport.values()) {
                fill(filler, 1 << 20);
                Cmd.Result push = alice.git(plain, "push", alice.url(t, "alice/m"), "HEAD:refs/heads/data")
                        .assertFailed();
                assertTrue(push.err().contains("remote: error: " + DISK_FULL), t + ":\n" + push.err());
            }
            assertTrue(Repos.serverRef(server, "alice/m", "refs/heads/data") == null, "no data branch");
            assertTrue(server.stderr().contains("No space left on device"), "the daemon's log has the cause");

            Files.delete(filler);
            w.git("push", "origin", "HEAD:main").assertOk();
            alice.git(plain, "push", "-q", alice.url(Transport.HTTP, "alice/m"), "HEAD:refs/heads/data").assertOk();
            assertTrue(server.process().isAlive(), "no restart was needed");
            assertTrue(server.stderr().contains("reopened, writing again after the disk was full"), server.stderr());

            Cmd.Result fsck = server.admin("fsck").assertOk();
            assertTrue(fsck.out().contains("no problems"), fsck.out());
            Repos.assertServerIntact(server, "alice/m");
            alice.git(base, "clone", "-q", httpUrl, "fresh").assertOk();
            assertArrayEquals(Files.readAllBytes(w.file("model.safetensors")),
                    Files.readAllBytes(base.resolve("fresh/model.safetensors")), "the checkpoint reads back");
            assertEquals(Repos.head(alice, plain), Repos.serverRef(server, "alice/m", "refs/heads/data"),
                    "the plain push landed whole");
        }
    }

    /**
     * Fills the filesystem of {@code file} by appending to it, then gives back {@code leave} bytes (what the daemon
     * freed since the last call, a failed upload's files or a reopened store's old ones, is taken again).
     */
    private static void fill(Path file, int leave) throws IOException {
        byte[] chunk = new byte[64 << 10];
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            assertTrue(String.valueOf(full.getMessage()).contains("No space left"), full.toString());
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(Math.max(0, f.length() - leave));
        }
    }
}
