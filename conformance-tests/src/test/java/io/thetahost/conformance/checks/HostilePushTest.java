package io.thetahost.conformance.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.ModelRepo;
import io.thetahost.conformance.support.Repos;
import io.thetahost.conformance.support.ThetahostServer;
import io.thetahost.conformance.support.Transport;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes built to hurt the checks, against a daemon whose heap is capped at 256 MiB: a manifest far over the size
 * limit, a manifest of a million tensors, two just under the limit at once, deeply nested ones, and 10,000 new
 * commits. Each gets a clear rejection or lands, the daemon serves another user's clones while it works, and it never
 * runs out of memory. Bob pushes with plain git (no theta), as anyone can. (The tensor limit is reached only by
 * manifests larger than this heap allows; ManifestBlobsTest covers it.)
 */
@Timeout(900)
class HostilePushTest {
    private static final String REPO = "alice/hostile";
    private static final String BYSTANDER = "alice/bystander";
    private static final String MODEL = "model.safetensors";
    private static final String HEAP = "-Xmx256m";
    /** The manifest limit of a daemon with that heap: 1/32 of it. */
    private static final long LIMIT = 8L << 20;
    private static final byte[] OPENING = "{\n  \"thetahost_manifest\": ".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path base;
    static ThetahostServer server;
    static GitUser alice;
    static GitUser bob;
    static Path work;
    static String baseCommit;

    @BeforeAll
    static void start() throws IOException {
        server = ThetahostServer.start(base.resolve("data"), Map.of("THETAHOST_JAVA_OPTS", HEAP));
        alice = GitUser.create(server, base, "alice");
        bob = GitUser.create(server, base, "bob");
        Cmd.of(Fixtures.binTheta().toString(), "install").env(alice.env()).in(base).run().assertOk();
        Repos.seeded(server, alice, base, BYSTANDER);

        server.admin("repo", "create", REPO).assertOk();
        server.admin("repo", "grant", REPO, "bob", "write").assertOk();
        Path dir = base.resolve("alice-work");
        alice.git(base, "clone", "-q", alice.url(Transport.SSH, REPO), dir.toString()).assertOk();
        ModelRepo a = new ModelRepo(alice, dir, Map.of("THETA_NO_PROMPT", "1"));
        a.theta("track", MODEL).assertOk();
        Files.copy(Fixtures.checkpoint("base.safetensors"), a.file(MODEL));
        a.git("add", "-A").assertOk();
        a.git("commit", "-qm", "base").assertOk();
        a.git("push", "-q", "origin", "HEAD:main").assertOk();
        baseCommit = a.git("rev-parse", "HEAD").assertOk().out().strip();

        work = base.resolve("bob-work");
        bob.git(base, "clone", "-q", bob.url(Transport.SSH, REPO), work.toString()).assertOk();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        try {
            String cmdline = Files.readString(Path.of("/proc/" + server.pid() + "/cmdline")).replace('\0', ' ');
            assertTrue(cmdline.contains(HEAP), "the daemon ran with the capped heap: " + cmdline);
            assertTrue(server.process().isAlive(), "the daemon is still running");
            assertFalse(server.stderr().contains("OutOfMemoryError"), server.stderr());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            server.close();
        }
    }

    @Test
    void aManifestOverTheSizeLimitIsRefusedUnread() throws Exception {
        Path file = base.resolve("oversized.json");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(OPENING);
            byte[] filler = " ".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 65; i++) {
                out.write(filler);
            }
        }
        long size = Files.size(file);
        String commit = commitFile(file, MODEL, "a 65 MiB manifest");
        Cmd.Result refused = pushWhileOthersClone("oversized", commit);
        assertEquals(List.of("remote: theta: refs/heads/oversized rejected: 1 problem",
                "remote: theta:   [manifest] " + commit.substring(0, 7) + " model.safetensors: not a theta manifest: "
                        + "it is " + size + " bytes, over this server's manifest limit of " + LIMIT,
                "remote: theta:   to fix: commit checkpoints with theta installed (theta install), then git add "
                        + "--renormalize model.safetensors and commit again"),
                PushChecksTest.remoteLines(refused));
        assertNull(Repos.serverRef(server, REPO, "refs/heads/oversized"));
    }

    /**
     * The daemon's manifest limit follows its heap: 8 MiB at 256 MiB. A million tensors are refused by size, unread.
     * Just under the limit, bob's 38,000 tensors the server never received and alice's real checkpoint of 34,000
     * tensors, pushed with theta, are parsed and checked side by side: bob's is refused, alice's lands.
     */
    @Test
    void manifestsOfManyTensorsAreRefusedAtTheLimitAndCheckedUnderIt() throws Exception {
        Path small = base.resolve("three.json");
        writeManifestOfEmptyTensors(small, 3, DType.U8);
        ManifestFormat.read(Files.readAllBytes(small)); // the generator writes canonical manifests

        Path million = base.resolve("million.json");
        writeManifestOfEmptyTensors(million, 1_000_000, DType.U8);
        String commit = commitFile(million, MODEL, "a million tensors");
        List<String> lines = PushChecksTest.remoteLines(pushWhileOthersClone("million", commit));
        assertEquals("remote: theta:   [manifest] " + commit.substring(0, 7) + " model.safetensors: not a theta "
                + "manifest: it is " + Files.size(million) + " bytes, over this server's manifest limit of "
                + LIMIT, lines.get(1));
        Files.delete(million);

        Path dir = base.resolve("alice-wide");
        alice.git(base, "clone", "-q", alice.url(Transport.SSH, REPO), dir.toString()).assertOk();
        ModelRepo a = new ModelRepo(alice, dir, Map.of("THETA_NO_PROMPT", "1"));
        writeCheckpointOfEmptyTensors(a.file(MODEL), 34_000);
        a.git("commit", "-qam", "34,000 tensors").assertOk();
        String wideManifest = a.git("cat-file", "blob", "HEAD:" + MODEL).assertOk().out();
        assertTrue(wideManifest.length() > LIMIT / 2 && wideManifest.length() < LIMIT, "near the limit: "
                + wideManifest.length());

        Path unknown = base.resolve("unknown.json");
        writeManifestOfEmptyTensors(unknown, 38_000, DType.I8);
        assertTrue(Files.size(unknown) > LIMIT / 2 && Files.size(unknown) < LIMIT, "near the limit: "
                + Files.size(unknown));
        commit = commitFile(unknown, MODEL, "38,000 tensors the server never received");

        CompletableFuture<Cmd.Result> wide = CompletableFuture.supplyAsync(() -> a.git("push", "origin",
                "HEAD:refs/heads/wide"));
        lines = PushChecksTest.remoteLines(pushWhileOthersClone("unknown", commit));
        assertTrue(Pattern.matches("remote: theta:   \\[tensors-present] " + commit.substring(0, 7)
                + " model\\.safetensors t\\d{7}: tensor sha256:[0-9a-f]{16}\\.\\.\\. is not on the server",
                lines.get(1)), lines.get(1));
        Cmd.Result landed = wide.get();
        assertTrue(landed.ok(), landed.describe("34,000 tensors within the limits") + "\n" + server.stderr());
        assertEquals(a.git("rev-parse", "HEAD").assertOk().out().strip(), Repos.serverRef(server, REPO,
                "refs/heads/wide"));
    }

    @Test
    void deeplyNestedManifestsAreRefusedWithTheParsersReason() throws Exception {
        // Nested where the manifest's own keys are.
        Path nested = base.resolve("nested.json");
        try (Writer out = Files.newBufferedWriter(nested, StandardCharsets.US_ASCII)) {
            out.write(new String(OPENING, StandardCharsets.US_ASCII));
            out.write("[".repeat(1_000_000));
        }
        String outer = commitFile(nested, MODEL, "nested manifest");
        assertEquals("remote: theta:   [manifest] " + outer.substring(0, 7) + " model.safetensors: not a theta "
                + "manifest: manifest version must be an integer, found an array",
                PushChecksTest.remoteLines(pushWhileOthersClone("nested", outer)).get(1));

        // Nested inside the embedded safetensors header, in an otherwise canonical manifest.
        String header = "{\"__metadata__\":{\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}}";
        Path inHeader = base.resolve("nested-header.json");
        Files.writeString(inHeader, new String(OPENING, StandardCharsets.US_ASCII) + "1,\n  \"format\": "
                + "\"safetensors\",\n  \"header\": \"" + header.replace("\"", "\\\"") + "\",\n  \"tensors\": [],\n"
                + "  \"gaps\": []\n}\n");
        String inner = commitFile(inHeader, MODEL, "nested header");
        String line = PushChecksTest.remoteLines(pushWhileOthersClone("nested-header", inner)).get(1);
        assertTrue(line.startsWith("remote: theta:   [manifest] " + inner.substring(0, 7) + " model.safetensors: not a "
                + "theta manifest: manifest header: "), line);
        assertTrue(line.contains("__metadata__"), "the reason names where: " + line);
        assertNull(Repos.serverRef(server, REPO, "refs/heads/nested-header"));
    }

    /**
     * Two chains of 10,000 new commits in one push: in one, commit 5,000 names a tensor the server never received and
     * that ref alone is refused; the other lands on main, which is protected, so each of its commits is checked
     * against the branch rules too.
     */
    @Test
    void tenThousandNewCommitsAreCheckedAndTheBadOneFound() throws Exception {
        server.admin("repo", "protect", REPO, "main").assertOk();
        String manifest = bob.git(work, "cat-file", "blob", baseCommit + ":" + MODEL).assertOk().out();
        String someId = manifest.substring(manifest.indexOf("sha256:"), manifest.indexOf("sha256:") + 71);
        String missing = "sha256:" + "0".repeat(64);
        String bad = manifest.replace(someId, missing);

        StringBuilder stream = new StringBuilder();
        chain(stream, "refs/heads/many", 10_000, -1, null);
        chain(stream, "refs/heads/bad", 10_000, 5_000, bad);
        Cmd.of("git", "fast-import", "--quiet").in(work).env(bob.env())
                .stdin(stream.toString().getBytes(StandardCharsets.UTF_8)).run().assertOk();
        String many = bob.git(work, "rev-parse", "many").assertOk().out().strip();
        String badCommit = bob.git(work, "rev-parse", "bad~5000").assertOk().out().strip();
        assertEquals(bad, bob.git(work, "cat-file", "blob", badCommit + ":" + MODEL).assertOk().out());

        Cmd.Result r = bob.git(work, "push", "origin", "many:main", "bad:refs/heads/bad");
        assertFalse(r.ok(), r.describe("one ref refused"));
        List<String> lines = PushChecksTest.remoteLines(r);
        assertEquals("remote: theta: refs/heads/bad rejected: 1 problem", lines.get(0), r.err());
        assertTrue(Pattern.matches("remote: theta:   \\[tensors-present] " + badCommit.substring(0, 7)
                + " model\\.safetensors \\S+: tensor sha256:0{16}\\.\\.\\. is not on the server", lines.get(1)),
                lines.get(1));
        assertEquals(many, Repos.serverRef(server, REPO, "refs/heads/main"));
        assertNull(Repos.serverRef(server, REPO, "refs/heads/bad"));
    }

    /** Appends to a fast-import stream {@code count} commits on {@code ref} from the base, each changing notes.txt. */
    private static void chain(StringBuilder s, String ref, int count, int badAt, String badManifest) {
        for (int i = 1; i <= count; i++) {
            s.append("commit ").append(ref).append('\n');
            s.append("committer bob <bob@example.com> ").append(1_700_000_000L + i).append(" +0000\n");
            data(s, "commit " + i + "\n");
            if (i == 1) {
                s.append("from ").append(baseCommit).append('\n');
            }
            s.append("M 100644 inline notes.txt\n");
            data(s, ref + " " + i + "\n");
            if (i == badAt) {
                s.append("M 100644 inline ").append(MODEL).append('\n');
                data(s, badManifest);
            }
        }
    }

    private static void data(StringBuilder s, String text) {
        s.append("data ").append(text.getBytes(StandardCharsets.UTF_8).length).append('\n').append(text).append('\n');
    }

    /** Bob's commit on the base with {@code path} set to the file as is (no filter), from git's object store. */
    private static String commitFile(Path file, String path, String message) {
        String blob = bob.git(work, "hash-object", "-w", "--no-filters", file.toString()).assertOk().out().strip();
        return PushChecksTest.commitBlob(bob, work, baseCommit, path, blob, message);
    }

    /**
     * Bob pushes the commit to a new branch while alice clones another repository over HTTP, again and again until
     * the push is done: each of her clones must succeed. The push must be refused by the manifest checks.
     */
    private static Cmd.Result pushWhileOthersClone(String branch, String commit) throws Exception {
        CompletableFuture<Cmd.Result> push = CompletableFuture.supplyAsync(() -> bob.git(work, "push", "origin",
                commit + ":refs/heads/" + branch));
        int clones = 0;
        do {
            Path dir = base.resolve("bystander-" + branch + "-" + clones++);
            Cmd.Result clone = alice.git(base, "clone", "-q", alice.url(Transport.HTTP, BYSTANDER), dir.toString());
            assertTrue(clone.ok(), clone.describe("a clone while bob pushes " + branch));
            assertTrue(Files.exists(dir.resolve("README.md")));
        } while (!push.isDone());
        Cmd.Result refused = push.get();
        assertFalse(refused.ok(), refused.describe("push of " + branch + " refused"));
        assertTrue(Pattern.compile(" ! \\[remote rejected] +" + commit + " -> " + branch
                + " \\((manifest: not a theta manifest|tensors-present): ").matcher(refused.err()).find(),
                refused.err() + "\n--- daemon\n" + server.stderr());
        assertTrue(server.process().isAlive());
        return refused;
    }

    /** A canonical manifest of {@code count} empty tensors, written line by line. */
    private static void writeManifestOfEmptyTensors(Path file, int count, DType dtype) throws IOException {
        String id = TensorId.of(dtype, Shape.of(0), new byte[0]).toString();
        String headerEntry = "\\\":{\\\"dtype\\\":\\\"" + dtype.formatName()
                + "\\\",\\\"shape\\\":[0],\\\"data_offsets\\\":[0,0]}";
        String tensorLine = "\", \"dtype\": \"" + dtype.formatName() + "\", \"shape\": [0], \"id\": \"" + id + "\"}";
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(new String(OPENING, StandardCharsets.US_ASCII) + "1,\n  \"format\": \"safetensors\",\n"
                    + "  \"header\": \"{");
            for (int i = 0; i < count; i++) {
                out.write((i == 0 ? "" : ",") + "\\\"" + name(i) + headerEntry);
            }
            out.write("}\",\n  \"tensors\": [\n");
            for (int i = 0; i < count; i++) {
                out.write((i == 0 ? "" : ",\n") + "    {\"name\": \"" + name(i) + tensorLine);
            }
            out.write("\n  ],\n  \"gaps\": []\n}\n");
        }
    }

    /** The same tensors as a safetensors file: the 8-byte header length, the header, no data. */
    private static void writeCheckpointOfEmptyTensors(Path file, int count) throws IOException {
        StringBuilder header = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            header.append(i == 0 ? "" : ",").append('"').append(name(i))
                    .append("\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        header.append('}');
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] bytes = header.toString().getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(bytes.length).array());
            out.write(bytes);
        }
    }

    private static String name(int i) {
        return String.format("t%07d", i);
    }
}
