package io.thetahost.conformance.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Curl;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.PublishedModel;
import io.thetahost.conformance.support.SharedDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Raw files over plain HTTP, as someone with curl and no git downloads a model. */
class RawFilesTest extends SharedDaemon {
    static PublishedModel pub;
    static PublishedModel priv;
    static GitUser carol;

    @BeforeAll
    static void publish() throws Exception {
        pub = PublishedModel.publish(server, alice, base, "alice/open-model", "--public");
        priv = PublishedModel.publish(server, alice, base, "alice/closed-model");
        carol = GitUser.create(server, base, "carol");
    }

    private static String raw(String repo, String revisionAndPath) {
        return "http://127.0.0.1:" + server.httpPort() + "/" + repo + "/-/raw/" + revisionAndPath;
    }

    private static Curl.Download get(String... args) {
        try {
            return Curl.download(Files.createTempFile(base, "dl-", ".bin"), args);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aTrackedCheckpointIsRebuiltByteForByteWithItsSha256AsTheETag() throws Exception {
        Curl.Download d = get(raw(pub.repo(), "main/" + PublishedModel.MODEL));
        assertEquals(200, d.status(), d.headers());
        assertArrayEquals(pub.model(), d.body());
        assertEquals("\"" + sha256(pub.model()) + "\"", d.header("ETag"));
        assertEquals(String.valueOf(pub.model().length), d.header("Content-Length"));
        assertEquals("bytes", d.header("Accept-Ranges"));
        assertEquals(pub.main(), d.header("X-Repo-Commit"));
        // Stable: the same ETag again, and a conditional request gets 304.
        Curl.Download again = get("-I", raw(pub.repo(), "main/" + PublishedModel.MODEL));
        assertEquals(d.header("ETag"), again.header("ETag"));
        assertEquals(String.valueOf(pub.model().length), again.header("Content-Length"), again.headers());
        assertEquals(304, get("-H", "If-None-Match: " + d.header("ETag"),
                raw(pub.repo(), "main/" + PublishedModel.MODEL)).status());
    }

    @Test
    void otherFilesAreServedAsGitHoldsThem() throws Exception {
        Curl.Download config = get(raw(pub.repo(), "v1/" + PublishedModel.CONFIG));
        assertEquals(200, config.status());
        assertArrayEquals(pub.config(), config.body());
        assertEquals("\"" + sha256(pub.config()) + "\"", config.header("ETag"));
        Curl.Download notes = get(raw(pub.repo(), pub.main() + "/" + PublishedModel.NOTES));
        assertEquals("# notes\n", new String(notes.body(), StandardCharsets.UTF_8));
    }

    @Test
    void branchesWithSlashesTagsAndCommitIdsAllName(/* a revision */) {
        for (String revision : List.of(PublishedModel.FEATURE, "feature%2Fmerged", pub.feature(),
                pub.feature().substring(0, 10))) {
            Curl.Download d = get(raw(pub.repo(), revision + "/" + PublishedModel.MODEL));
            assertEquals(200, d.status(), revision + ": " + d.headers());
            assertArrayEquals(pub.merged(), d.body(), revision);
            assertEquals(pub.feature(), d.header("X-Repo-Commit"));
        }
        assertArrayEquals(pub.model(), get(raw(pub.repo(), "v1/" + PublishedModel.MODEL)).body());
    }

    @Test
    void aRangeIsAnsweredWith206AndOnlyItsBytes() {
        byte[] model = pub.model();
        Curl.Download header = get("-H", "Range: bytes=0-7", raw(pub.repo(), "main/" + PublishedModel.MODEL));
        assertEquals(206, header.status(), header.headers());
        assertArrayEquals(Arrays.copyOf(model, 8), header.body());
        assertEquals("bytes 0-7/" + model.length, header.header("Content-Range"));
        long headerLength = java.nio.ByteBuffer.wrap(model, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        Curl.Download json = get("-H", "Range: bytes=8-" + (7 + headerLength),
                raw(pub.repo(), "main/" + PublishedModel.MODEL));
        assertArrayEquals(Arrays.copyOfRange(model, 8, (int) (8 + headerLength)), json.body());
        for (String range : List.of("1000-200000", "-5000", (model.length - 3) + "-")) {
            Curl.Download part = get("-H", "Range: bytes=" + range, raw(pub.repo(), "main/" + PublishedModel.MODEL));
            assertEquals(206, part.status(), range);
            String[] fromTo = part.header("Content-Range").substring(6).split("/")[0].split("-");
            assertArrayEquals(Arrays.copyOfRange(model, Integer.parseInt(fromTo[0]), Integer.parseInt(fromTo[1]) + 1),
                    part.body(), range);
        }
        Curl.Download past = get("-H", "Range: bytes=" + model.length + "-", raw(pub.repo(), "main/"
                + PublishedModel.MODEL));
        assertEquals(416, past.status());
        assertEquals("bytes */" + model.length, past.header("Content-Range"));
        // Several ranges are answered with the whole file, as the RFC allows.
        Curl.Download several = get("-H", "Range: bytes=0-1,5-6", raw(pub.repo(), "main/" + PublishedModel.MODEL));
        assertEquals(200, several.status());
        assertArrayEquals(model, several.body());
    }

    @Test
    void includeGivesPeftsAdapterFileFromACheckpointHoldingBaseAndAdapter() throws Exception {
        byte[] adapter = Files.readAllBytes(io.thetahost.conformance.support.Fixtures.checkpoint(
                "adapter_model.safetensors"));
        Curl.Download d = get(raw(pub.repo(), "main/" + PublishedModel.WITH_ADAPTER + "?include=*lora*"));
        assertEquals(200, d.status(), d.headers());
        assertArrayEquals(adapter, d.body());
        assertEquals("\"" + sha256(adapter) + "\"", d.header("ETag"));
        // Repeated: any of the globs; ranges apply to the subset file.
        Curl.Download two = get("-H", "Range: bytes=0-7", raw(pub.repo(), "main/" + PublishedModel.WITH_ADAPTER
                + "?include=*lora_A*&include=*lora_B*"));
        assertEquals(206, two.status());
        assertArrayEquals(Arrays.copyOf(adapter, 8), two.body());
        Curl.Download none = get(raw(pub.repo(), "main/" + PublishedModel.MODEL + "?include=no.such.*"));
        assertEquals(404, none.status());
        assertTrue(new String(none.body(), StandardCharsets.UTF_8).contains("no parameter of model.safetensors"
                + " matches"), new String(none.body(), StandardCharsets.UTF_8));
        Curl.Download notCheckpoint = get(raw(pub.repo(), "main/" + PublishedModel.CONFIG + "?include=*"));
        assertEquals(400, notCheckpoint.status());
    }

    @Test
    void tokensAsGitSendsThemAndAsHuggingFaceHubSendsThem() {
        String url = raw(priv.repo(), "main/" + PublishedModel.MODEL);
        assertArrayEquals(priv.model(), get("-u", "alice:" + alice.token(), url).body());
        assertArrayEquals(priv.model(), get("-H", "Authorization: Bearer " + alice.token(), url).body());
        Curl.Download wrong = get("-H", "Authorization: Bearer tht_wrong", url);
        assertEquals(401, wrong.status());
        assertTrue(new String(wrong.body(), StandardCharsets.UTF_8).contains("invalid user name or access token"));
    }

    @Test
    void privateAndMissingRepositoriesAnswerAlike() {
        for (String[] who : List.of(new String[0], new String[] {"-u", "carol:" + carol.token()},
                new String[] {"-H", "Authorization: Bearer " + carol.token()})) {
            Curl.Download hidden = get(concat(who, raw(priv.repo(), "main/" + PublishedModel.CONFIG)));
            Curl.Download missing = get(concat(who, raw("alice/no-such-model", "main/" + PublishedModel.CONFIG)));
            assertEquals(hidden.status(), missing.status());
            assertArrayEquals(hidden.body(), missing.body());
            assertEquals(hidden.header("X-Error-Code"), missing.header("X-Error-Code"));
            assertEquals(who.length == 0 ? 401 : 404, hidden.status(), hidden.headers());
        }
    }

    @Test
    void missingRevisionsAndFilesSayWhich() {
        Curl.Download rev = get(raw(pub.repo(), "no-such-branch/" + PublishedModel.MODEL));
        assertEquals(404, rev.status());
        assertEquals("RevisionNotFound", rev.header("X-Error-Code"));
        Curl.Download file = get(raw(pub.repo(), "main/no-such-file.bin"));
        assertEquals(404, file.status());
        assertEquals("EntryNotFound", file.header("X-Error-Code"));
        Curl.Download folder = get(raw(pub.repo(), "main/docs"));
        assertEquals(404, folder.status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"main/../config.json", "main/docs/%2e%2e/config.json", "main//config.json",
            "main/docs%2Fnotes.md", "main/%00config.json", "main/%zz", "main~1/config.json", "HEAD@%7B1%7D/config.json",
            "main/config.json?include=%5B"})
    void hostilePathsRevisionsAndGlobsAreRefusedAndChangeNothing(String hostile) {
        Curl.Download d = get("--path-as-is", raw(pub.repo(), hostile));
        assertTrue(d.status() == 400 || d.status() == 404, hostile + ": " + d.headers());
        assertNotNull(d.header("X-Error-Code"), hostile);
        assertEquals(200, get(raw(pub.repo(), "main/" + PublishedModel.CONFIG)).status());
    }

    @Test
    void aDownloadCutOffHalfWayLeavesTheServerServing() throws Exception {
        // The client goes away mid-body (a dropped connection): the server stops writing and serves the next one.
        String url = raw(pub.repo(), "main/" + PublishedModel.WITH_ADAPTER);
        io.thetahost.conformance.support.Cmd.Result cut = io.thetahost.conformance.support.Cmd.of("curl", "-sS",
                "--limit-rate", "200k", "--max-time", "1", "-o", "/dev/null", url).run();
        assertEquals(28, cut.exit(), "curl gave up after a second: " + cut.err());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(pub.withAdapter(), get(url).body());
        }
        assertFalse(server.stderr().contains("Exception in thread"), server.stderr());
    }

    @Test
    void onlyGetAndHeadAreAllowed() {
        Curl.Download post = get("-X", "POST", "--data", "x", raw(pub.repo(), "main/" + PublishedModel.CONFIG));
        assertEquals(405, post.status());
        assertEquals("GET, HEAD", post.header("Allow"));
    }

    private static String[] concat(String[] a, String b) {
        String[] all = Arrays.copyOf(a, a.length + 1);
        all[a.length] = b;
        return all;
    }
}
