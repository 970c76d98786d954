package io.thetahost.conformance.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Curl;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.PublishedModel;
import io.thetahost.conformance.support.SharedDaemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JSON API under /api/v1, as a script with curl uses it (http-host/API.md). */
class JsonApiTest extends SharedDaemon {
    static PublishedModel pub;
    static PublishedModel priv;
    static GitUser carol;

    @BeforeAll
    static void publish() throws Exception {
        pub = PublishedModel.publish(server, alice, base, "alice/api-open", "--public");
        priv = PublishedModel.publish(server, alice, base, "alice/api-closed");
        carol = GitUser.create(server, base, "carol");
    }

    private static Curl.Response get(String path, String... auth) {
        List<String> args = new ArrayList<>(List.of(auth));
        args.add("http://127.0.0.1:" + server.httpPort() + "/api/v1/" + path);
        return Curl.run(args.toArray(new String[0]));
    }

    private static String[] as(GitUser user) {
        return new String[] {"-H", "Authorization: Bearer " + user.token()};
    }

    @Test
    void repositoriesListedAreTheOnesTheCallerMayRead() {
        JsonArray anonymous = new JsonArray(get("repos").body());
        assertEquals(List.of(pub.repo()), anonymous.stream().map(o -> ((JsonObject) o).getString("name")).toList());
        JsonArray owner = new JsonArray(get("repos", as(alice)).body());
        assertEquals(List.of(priv.repo(), pub.repo()), owner.stream().map(o -> ((JsonObject) o).getString("name"))
                .sorted().toList());
        JsonObject repo = new JsonObject(get("repos/" + pub.repo()).body());
        assertEquals("main", repo.getString("defaultBranch"));
        assertEquals(pub.main(), repo.getString("head"));
        assertEquals(true, repo.getBoolean("public"));
    }

    @Test
    void refsCommitsAndTree() {
        JsonObject refs = new JsonObject(get("repos/" + pub.repo() + "/refs").body());
        assertTrue(refs.getJsonArray("branches").encode().contains(PublishedModel.FEATURE), refs.encode());
        assertTrue(refs.getJsonArray("tags").encode().contains(pub.main()), refs.encode());

        Curl.Response first = get("repos/" + pub.repo() + "/commits/" + PublishedModel.FEATURE + "?per_page=1");
        JsonArray page = new JsonArray(first.body());
        assertEquals(1, page.size());
        JsonObject newest = page.getJsonObject(0);
        assertEquals(pub.feature(), newest.getString("id"));
        assertEquals(12, newest.getLong("changedParameters"), "the LoRA merge changes 12 parameters");
        assertTrue(first.hasHeader("rel=\"next\""), first.headers());
        JsonArray second = new JsonArray(get("repos/" + pub.repo() + "/commits/" + PublishedModel.FEATURE
                + "?page=2&per_page=1").body());
        assertEquals(pub.main(), second.getJsonObject(0).getString("id"));
        assertEquals(52 + 76, second.getJsonObject(0).getLong("changedParameters"),
                "the first commit adds every parameter of both checkpoints");

        JsonArray tree = new JsonArray(get("repos/" + pub.repo() + "/tree/main").body());
        JsonObject model = tree.stream().map(o -> (JsonObject) o)
                .filter(o -> o.getString("path").equals(PublishedModel.MODEL)).findFirst().orElseThrow();
        assertEquals(true, model.getBoolean("checkpoint"));
        assertEquals(pub.model().length, model.getLong("size"));
        assertTrue(tree.encode().contains("\"path\":\"docs\",\"type\":\"folder\""), tree.encode());
    }

    @Test
    void aCheckpointsManifest() {
        JsonObject m = new JsonObject(get("repos/" + pub.repo() + "/manifest/v1/" + PublishedModel.MODEL).body());
        assertEquals(pub.model().length, m.getLong("fileSize"));
        assertEquals(52, m.getJsonArray("tensors").size());
        JsonObject t = m.getJsonArray("tensors").getJsonObject(0);
        assertNotNull(t.getString("name"));
        assertTrue(t.getString("id").startsWith("sha256:"));
        assertTrue(t.getString("dtype").matches("[A-Z0-9_]+"));
        assertEquals(404, get("repos/" + pub.repo() + "/manifest/main/" + PublishedModel.CONFIG).status());
    }

    @Test
    void theParameterLevelComparisonOfTwoRevisions() {
        JsonObject c = new JsonObject(get("repos/" + pub.repo() + "/compare/main..." + PublishedModel.FEATURE)
                .body());
        assertEquals(pub.main(), c.getString("from"));
        assertEquals(pub.feature(), c.getString("to"));
        assertEquals(12, c.getLong("changedParameters"));
        JsonObject file = c.getJsonArray("files").getJsonObject(0);
        assertEquals(PublishedModel.MODEL, file.getString("path"));
        assertEquals(new JsonObject().put("added", 0).put("removed", 0).put("changed", 12).put("unchanged", 40),
                file.getJsonObject("summary"));
        for (Object o : file.getJsonArray("parameters")) {
            JsonObject p = (JsonObject) o;
            if (p.getString("status").equals("changed")) {
                assertTrue(p.getDouble("relativeL2") > 0, p.encode());
                assertTrue(p.getDouble("fractionChanged") > 0 && p.getDouble("fractionChanged") <= 1, p.encode());
                assertNotNull(p.getString("storedAs"), p.encode());
                assertTrue(p.getLong("storedBytes") > 0
                        && p.getLong("storedBytes") < p.getJsonObject("after").getLong("bytes"), p.encode());
            } else {
                assertEquals("unchanged", p.getString("status"));
                assertNull(p.getDouble("relativeL2"));
            }
        }
        // Backwards: the same parameters changed, measured against the other side.
        JsonObject back = new JsonObject(get("repos/" + pub.repo() + "/compare/" + pub.feature() + "...v1").body());
        assertEquals(12, back.getLong("changedParameters"));
    }

    @Test
    void errorsAreJsonWithAMessageAndPrivateLooksMissing() {
        Curl.Response hidden = get("repos/" + priv.repo() + "/refs", as(carol));
        Curl.Response missing = get("repos/alice/no-such/refs", as(carol));
        assertEquals(404, hidden.status());
        assertEquals(hidden.body(), missing.body());
        assertTrue(new JsonObject(hidden.body()).getString("error").contains("not found"), hidden.body());
        assertEquals(401, get("repos/" + priv.repo() + "/refs").status());
        assertEquals(200, get("repos/" + priv.repo() + "/refs", "-u", "alice:" + alice.token()).status());
        Curl.Response badRange = get("repos/" + pub.repo() + "/compare/main..v1");
        assertEquals(400, badRange.status());
        assertTrue(new JsonObject(badRange.body()).getString("error").contains("three dots"));
        assertEquals(400, get("repos/" + pub.repo() + "/commits/main?per_page=100000").status());
        assertEquals(404, get("repos/" + pub.repo() + "/commits/main~1").status());
        assertEquals(404, get("repos/" + pub.repo() + "/nothing-here").status());
    }
}
