package io.thetahost.conformance.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.Repos;
import io.thetahost.conformance.support.ThetahostServer;
import io.thetahost.conformance.support.Transport;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.eclipse.jgit.util.FileUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file twice the daemon's heap (512 MiB through 256 MiB) pushed and cloned over both transports: git objects stream.
 * The 1 GiB runs are bench/git-transfer.sh's.
 */
@Timeout(1800)
class LargeFileTest {
    private static final long SIZE = 512L << 20;

    @TempDir
    Path base;

    @Test
    void aFileTwiceTheHeapThroughBothTransports() throws Exception {
        try (ThetahostServer server = ThetahostServer.start(base.resolve("data"),
                Map.of("THETAHOST_JAVA_OPTS", "-Xmx256m"))) {
            String cmdline = Files.readString(Path.of("/proc/" + server.pid() + "/cmdline")).replace('\0', ' ');
            assertTrue(cmdline.contains("-Xmx256m"), "the daemon runs with the capped heap: " + cmdline);
            GitUser alice = GitUser.create(server, base, "alice");
            server.admin("repo", "create", "alice/big-ssh").assertOk();
            server.admin("repo", "create", "alice/big-http").assertOk();

            Path src = Files.createDirectories(base.resolve("src"));
            alice.git(src, "init", "-q", "-b", "main").assertOk();
            Path file = src.resolve("model.bin");
            writeIncompressible(file, SIZE);
            // Stored without compression: the client's zlib is not what this test is about.
            alice.git(src, "-c", "core.compression=0", "add", "model.bin").assertOk();
            alice.git(src, "commit", "-q", "-m", "twice the heap").assertOk();

            // Nor is its pack compression (18 of the 25 s a push of 512 MiB took).
            ok(server, alice.git(src, "-c", "core.compression=0", "push", alice.url(Transport.SSH, "alice/big-ssh"),
                    "main"));
            ok(server, alice.git(src, "-c", "core.compression=0", "push", alice.url(Transport.HTTP,
                    "alice/big-http"), "main"));
            assertEquals(Repos.head(alice, src), Repos.serverRef(server, "alice/big-ssh", "refs/heads/main"));
            assertEquals(Repos.head(alice, src), Repos.serverRef(server, "alice/big-http", "refs/heads/main"));

            // Each repository is cloned over the other transport, so both transports push and clone the file.
            cloneAndCompare(server, alice, Transport.HTTP, "alice/big-ssh", file);
            cloneAndCompare(server, alice, Transport.SSH, "alice/big-http", file);

            assertTrue(server.process().isAlive());
            assertFalse(server.stderr().contains("OutOfMemoryError"), server.stderr());
        }
    }

    /** A failure here is the daemon's as much as git's: show what each said. */
    private static void ok(ThetahostServer server, io.thetahost.conformance.support.Cmd.Result r) {
        if (!r.ok()) {
            throw new AssertionError(r.describe("expected success") + "\n--- daemon stderr\n" + server.stderr()
                    + "\n--- request log\n" + String.join("\n", server.requestLog()));
        }
    }

    private void cloneAndCompare(ThetahostServer server, GitUser user, Transport transport, String repo,
            Path original) throws IOException {
        Path dir = Files.createTempDirectory(base, "clone-");
        ok(server, user.git(dir, "clone", "-q", user.url(transport, repo), "w"));
        Path cloned = dir.resolve("w/model.bin");
        assertEquals(SIZE, Files.size(cloned));
        assertEquals(-1L, Files.mismatch(original, cloned), "the clone over " + transport + " is byte-identical");
        FileUtils.delete(dir.toFile(), FileUtils.RECURSIVE);
    }

    private static void writeIncompressible(Path file, long size) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (long written = 0; written < size; written += block.length) {
                for (int i = 0; i < block.length; i += 8) {
                    long v = random.nextLong();
                    for (int k = 0; k < 8; k++) {
                        block[i + k] = (byte) (v >>> (8 * k));
                    }
                }
                out.write(block);
            }
        }
    }
}
