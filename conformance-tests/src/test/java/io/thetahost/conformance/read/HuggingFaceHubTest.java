package io.thetahost.conformance.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.PublishedModel;
import io.thetahost.conformance.support.SharedDaemon;
import io.thetahost.conformance.support.ThetahostServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real huggingface_hub (Python, as .ci/run installs it), unchanged, pointed at the server with HF_ENDPOINT:
 * every call a downloader makes, against a public and a private repository, each in a fresh cache.
 */
class HuggingFaceHubTest extends SharedDaemon {
    static PublishedModel pub;
    static PublishedModel priv;
    static GitUser carol;

    @BeforeAll
    static void publish() throws Exception {
        pub = PublishedModel.publish(server, alice, base, "alice/hub-open", "--public");
        priv = PublishedModel.publish(server, alice, base, "alice/hub-closed");
        carol = GitUser.create(server, base, "carol");
    }

    /** Runs one call of hub_client.py in a fresh HF_HOME; its JSON answer. */
    private static JsonObject hub(String repo, String token, String... call) throws Exception {
        Path home = Files.createTempDirectory(base, "hf-home-");
        List<String> cmd = new java.util.ArrayList<>(List.of("python3",
                ThetahostServer.projectRoot().resolve("conformance-tests/src/test/resources/hub/hub_client.py")
                        .toString(), repo, token == null ? "-" : token));
        cmd.addAll(List.of(call));
        Cmd.Result r = Cmd.of(cmd).env(Map.of("HF_ENDPOINT", "http://127.0.0.1:" + server.httpPort(),
                "HF_HOME", home.toString(), "HF_HUB_DISABLE_TELEMETRY", "1", "HF_HUB_DISABLE_IMPLICIT_TOKEN", "1",
                "HF_HUB_DISABLE_PROGRESS_BARS", "1", "HF_TOKEN", "")).timeout(Duration.ofMinutes(2)).run();
        assertTrue(r.ok(), r.describe("hub_client.py " + String.join(" ", call)));
        return new JsonObject(r.out().strip());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static void assertNoError(JsonObject answer) {
        assertNull(answer.getString("error"), answer.encodePrettily());
    }

    @Test
    void snapshotDownloadAtABranchATagACommitAndABranchWithASlash() throws Exception {
        for (String revision : List.of("main", "v1", pub.main())) {
            JsonObject snap = hub(pub.repo(), null, "snapshot", revision);
            assertNoError(snap);
            JsonObject files = snap.getJsonObject("files");
            assertEquals(sha256(pub.model()), files.getString(PublishedModel.MODEL), revision);
            assertEquals(sha256(pub.withAdapter()), files.getString(PublishedModel.WITH_ADAPTER), revision);
            assertEquals(sha256(pub.config()), files.getString(PublishedModel.CONFIG), revision);
            assertEquals(sha256("# notes\n".getBytes()), files.getString(PublishedModel.NOTES), revision);
            assertTrue(snap.getString("root").endsWith(pub.main()), snap.getString("root"));
        }
        JsonObject feature = hub(pub.repo(), null, "snapshot", PublishedModel.FEATURE, "*.safetensors");
        assertNoError(feature);
        assertEquals(sha256(pub.merged()), feature.getJsonObject("files").getString(PublishedModel.MODEL));
        assertEquals(null, feature.getJsonObject("files").getString(PublishedModel.CONFIG), "allow_patterns holds");
    }

    @Test
    void hfHubDownloadListFilesModelInfoTreeAndRefs() throws Exception {
        assertEquals(sha256(pub.model()), hub(pub.repo(), null, "download", "v1", PublishedModel.MODEL)
                .getString("sha256"));
        assertEquals(sha256(pub.merged()), hub(pub.repo(), null, "download", pub.feature(), PublishedModel.MODEL)
                .getString("sha256"));
        assertEquals(List.of(".gitattributes", "README.md", PublishedModel.CONFIG, PublishedModel.NOTES,
                PublishedModel.MODEL, PublishedModel.WITH_ADAPTER),
                hub(pub.repo(), null, "files", "main").getJsonArray("files").getList());

        JsonObject info = hub(pub.repo(), null, "info", "main");
        assertNoError(info);
        assertEquals(pub.repo(), info.getString("id"));
        assertEquals(pub.main(), info.getString("sha"));
        assertEquals(false, info.getBoolean("private"));
        assertEquals(sha256(pub.model()), info.getJsonObject("siblings").getString(PublishedModel.MODEL));
        assertNull(info.getJsonObject("siblings").getString(PublishedModel.CONFIG));

        JsonObject tree = hub(pub.repo(), null, "tree", PublishedModel.FEATURE).getJsonObject("tree");
        assertEquals(sha256(pub.merged()), tree.getString(PublishedModel.MODEL));
        assertTrue(tree.containsKey("docs") && tree.containsKey(PublishedModel.NOTES), tree.encode());

        JsonObject refs = hub(pub.repo(), null, "refs");
        assertEquals(pub.main(), refs.getJsonObject("branches").getString("main"));
        assertEquals(pub.feature(), refs.getJsonObject("branches").getString(PublishedModel.FEATURE));
        assertEquals(pub.main(), refs.getJsonObject("tags").getString("v1"));
    }

    @Test
    void aPrivateRepositoryWithItsOwnersTokenAndNotWithout() throws Exception {
        JsonObject snap = hub(priv.repo(), alice.token(), "snapshot", "main");
        assertNoError(snap);
        assertEquals(sha256(priv.model()), snap.getJsonObject("files").getString(PublishedModel.MODEL));
        assertEquals(true, hub(priv.repo(), alice.token(), "info", "main").getBoolean("private"));

        // No token, another user's token, a repository that does not exist: the same error.
        for (String token : new String[] {null, carol.token()}) {
            JsonObject refused = hub(priv.repo(), token, "download", "main", PublishedModel.MODEL);
            assertEquals("RepositoryNotFoundError", refused.getString("error"), String.valueOf(token));
        }
        assertEquals("RepositoryNotFoundError", hub("alice/no-such-model", alice.token(), "snapshot", "main")
                .getString("error"));
        // A wrong token is said to be wrong, whatever the repository (the library's generic HTTP error).
        for (String repo : List.of(priv.repo(), "alice/no-such-model")) {
            JsonObject wrong = hub(repo, "tht_wrong", "download", "main", PublishedModel.MODEL);
            assertEquals("HfHubHTTPError", wrong.getString("error"), repo);
            assertTrue(wrong.getString("message").contains("invalid user name or access token"), wrong.encode());
        }
    }

    @Test
    void aTreeOfMoreThanAPageIsListedWholeThroughTheLinkHeader() throws Exception {
        String repo = "alice/hub-many-files";
        server.admin("repo", "create", repo, "--public").assertOk();
        Path work = Files.createTempDirectory(base, "many-");
        alice.git(work, "clone", alice.url(io.thetahost.conformance.support.Transport.HTTP, repo), "w").assertOk();
        Path w = work.resolve("w");
        Files.createDirectories(w.resolve("shards"));
        for (int i = 0; i < 1100; i++) {
            Files.writeString(w.resolve("shards/" + i + ".txt"), i + "\n");
        }
        alice.git(w, "add", ".").assertOk();
        alice.git(w, "commit", "-qm", "many files").assertOk();
        alice.git(w, "-c", "credential.helper=!f() { echo username=alice; echo password=" + alice.token()
                + "; }; f", "push", "-q", "origin", "HEAD:main").assertOk();
        JsonObject files = hub(repo, null, "files", "main");
        assertNoError(files);
        assertEquals(1100, files.getJsonArray("files").size(), "both pages of the tree (1000 a page)");
        assertEquals(1101, hub(repo, null, "tree", "main").getJsonObject("tree").size(), "the folder too");
    }

    @Test
    void missingRevisionsAndFilesRaiseTheLibrarysOwnErrors() throws Exception {
        assertEquals("RevisionNotFoundError", hub(pub.repo(), null, "download", "no-such-branch",
                PublishedModel.MODEL).getString("error"));
        assertEquals("RemoteEntryNotFoundError", hub(pub.repo(), null, "download", "main", "no-such-file.bin")
                .getString("error"));
        assertTrue(Files.exists(Fixtures.checkpoint("adapter_model.safetensors")));
    }
}
