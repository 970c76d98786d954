package io.thetahost.conformance.git;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.Repos;
import io.thetahost.conformance.support.SharedDaemon;
import io.thetahost.conformance.support.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Shallow clones, deepening fetches, partial clone with lazy blob fetch, and sparse checkout, on both transports. */
class ShallowAndPartialCloneTest extends SharedDaemon {
    /** Commit dates one day apart, starting 2026-01-01 (seconds since the epoch). */
    private static final long DAY0 = 1767225600L;
    private static final int COMMITS = 5;

    static final String HISTORY = "alice/history";
    static final String FILES = "alice/files";
    static byte[] weights;

    @BeforeAll
    static void setUp() throws Exception {

        server.admin("repo", "create", HISTORY).assertOk();
        Path h = Files.createDirectories(base.resolve("history-src"));
        alice.git(h, "init", "-q", "-b", "main").assertOk();
        for (int i = 0; i < COMMITS; i++) {
            Files.writeString(h.resolve("step.txt"), "step " + i + "\n");
            alice.git(h, "add", "step.txt").assertOk();
            String date = "@" + (DAY0 + i * 86400L) + " +0000";
            io.thetahost.conformance.support.Cmd.of("git", "commit", "-q", "-m", "step " + i).in(h)
                    .env(alice.env()).env("GIT_AUTHOR_DATE", date).env("GIT_COMMITTER_DATE", date).run()
                    .assertOk();
        }
        alice.git(h, "push", "-q", alice.url(Transport.SSH, HISTORY), "main").assertOk();

        server.admin("repo", "create", FILES).assertOk();
        Path f = Files.createDirectories(base.resolve("files-src"));
        alice.git(f, "init", "-q", "-b", "main").assertOk();
        weights = new byte[300_000];
        new Random(7).nextBytes(weights);
        Files.createDirectories(f.resolve("weights"));
        Files.createDirectories(f.resolve("docs"));
        Files.write(f.resolve("weights/model.bin"), weights);
        Files.writeString(f.resolve("docs/README.md"), "small\n");
        Files.writeString(f.resolve("config.json"), "{}\n");
        alice.git(f, "add", ".").assertOk();
        alice.git(f, "commit", "-q", "-m", "files").assertOk();
        alice.git(f, "push", "-q", alice.url(Transport.SSH, FILES), "main").assertOk();
    }

    static Stream<Arguments> matrix() {
        return Repos.transportsAndProtocols();
    }

    private static int depth(GitUser user, Path work) {
        return Integer.parseInt(user.git(work, "rev-list", "--count", "HEAD").assertOk().out().strip());
    }

    /** Objects the clone knows of but does not hold (printed by rev-list as ?ID). */
    private static List<String> missing(GitUser user, Path work) {
        return Arrays.stream(user.git(work, "rev-list", "--objects", "--missing=print", "HEAD").assertOk().out()
                .split("\n")).filter(l -> l.startsWith("?")).toList();
    }

    @ParameterizedTest(name = "{0} protocol v{1}")
    @MethodSource("matrix")
    void shallowCloneThenDeepen(Transport transport, int protocol) throws Exception {
        GitUser user = alice.speaking(protocol);
        Path dir = Files.createTempDirectory(base, "shallow-");
        user.git(dir, "clone", "--depth", "1", user.url(transport, HISTORY), "w").assertOk();
        Path w = dir.resolve("w");
        assertEquals(1, depth(user, w));
        assertTrue(Files.exists(w.resolve(".git/shallow")));
        assertEquals("step 4\n", Files.readString(w.resolve("step.txt")));

        user.git(w, "fetch", "--deepen", "2").assertOk();
        assertEquals(3, depth(user, w));
        user.git(w, "fetch", "--unshallow").assertOk();
        assertEquals(COMMITS, depth(user, w));
        assertFalse(Files.exists(w.resolve(".git/shallow")));
    }

    @ParameterizedTest(name = "{0} protocol v{1}")
    @MethodSource("matrix")
    void shallowSince(Transport transport, int protocol) throws Exception {
        GitUser user = alice.speaking(protocol);
        Path dir = Files.createTempDirectory(base, "since-");
        // Commits 2, 3 and 4 are on or after day 2.
        user.git(dir, "clone", "--shallow-since=" + (DAY0 + 2 * 86400L), user.url(transport, HISTORY), "w")
                .assertOk();
        assertEquals(3, depth(user, dir.resolve("w")));
    }

    @ParameterizedTest(name = "{0} protocol v{1}")
    @MethodSource("matrix")
    void shallowExcludeAndDeepenByDepth(Transport transport, int protocol) throws Exception {
        GitUser user = alice.speaking(protocol);
        Path dir = Files.createTempDirectory(base, "exclude-");
        String url = user.url(transport, HISTORY);
        Path src = base.resolve("history-src");
        String step1 = alice.git(src, "rev-parse", "HEAD~3").assertOk().out().strip();
        alice.git(src, "push", "-q", alice.url(Transport.SSH, HISTORY), "+" + step1 + ":refs/tags/step1")
                .assertOk();
        // Everything reachable from step1 is left out: steps 2, 3 and 4 arrive.
        user.git(dir, "clone", "--shallow-exclude=step1", "--no-tags", "--single-branch", url, "w").assertOk();
        Path w = dir.resolve("w");
        assertEquals(3, depth(user, w));
        user.git(w, "fetch", "--depth", "4", "origin", "main").assertOk();
        assertEquals(4, depth(user, w));
    }

    @ParameterizedTest(name = "{0} protocol v{1}")
    @MethodSource("matrix")
    void blobNoneFetchesBlobsLazilyOnCheckout(Transport transport, int protocol) throws Exception {
        GitUser user = alice.speaking(protocol);
        Path dir = Files.createTempDirectory(base, "blobless-");
        user.git(dir, "clone", "--filter=blob:none", "--no-checkout", user.url(transport, FILES), "w").assertOk();
        Path w = dir.resolve("w");
        assertEquals(3, missing(user, w).size(), "all three blobs are left on the server");

        user.git(w, "checkout", "main").assertOk();
        assertArrayEquals(weights, Files.readAllBytes(w.resolve("weights/model.bin")));
        assertEquals("small\n", Files.readString(w.resolve("docs/README.md")));
        assertTrue(missing(user, w).isEmpty());
    }

    @ParameterizedTest(name = "{0} protocol v{1}")
    @MethodSource("matrix")
    void blobLimitLeavesOnlyLargeBlobsBehind(Transport transport, int protocol) throws Exception {
        GitUser user = alice.speaking(protocol);
        Path dir = Files.createTempDirectory(base, "limit-");
        user.git(dir, "clone", "--filter=blob:limit=1k", "--no-checkout", user.url(transport, FILES), "w")
                .assertOk();
        Path w = dir.resolve("w");
        List<String> missing = missing(user, w);
        assertEquals(1, missing.size(), "only the 300 kB blob is missing: " + missing);
        String bigBlob = user.git(w, "rev-parse", "HEAD:weights/model.bin").assertOk().out().strip();
        assertEquals("?" + bigBlob, missing.get(0));

        user.git(w, "checkout", "main").assertOk();
        assertArrayEquals(weights, Files.readAllBytes(w.resolve("weights/model.bin")));
    }

    @ParameterizedTest(name = "{0} protocol v{1}")
    @MethodSource("matrix")
    void sparseCheckoutOfAPartialClone(Transport transport, int protocol) throws Exception {
        GitUser user = alice.speaking(protocol);
        Path dir = Files.createTempDirectory(base, "sparse-");
        user.git(dir, "clone", "--filter=blob:none", "--sparse", user.url(transport, FILES), "w").assertOk();
        Path w = dir.resolve("w");
        user.git(w, "sparse-checkout", "set", "docs").assertOk();
        assertEquals("small\n", Files.readString(w.resolve("docs/README.md")));
        assertFalse(Files.exists(w.resolve("weights/model.bin")), "outside the sparse cone");
        String bigBlob = user.git(w, "rev-parse", "HEAD:weights/model.bin").assertOk().out().strip();
        assertTrue(missing(user, w).contains("?" + bigBlob), "the weights were never fetched");

        user.git(w, "sparse-checkout", "disable").assertOk();
        assertArrayEquals(weights, Files.readAllBytes(w.resolve("weights/model.bin")));
    }
}
