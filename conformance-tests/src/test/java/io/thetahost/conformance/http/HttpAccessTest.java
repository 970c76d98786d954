package io.thetahost.conformance.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Curl;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.Repos;
import io.thetahost.conformance.support.SharedDaemon;
import io.thetahost.conformance.support.Transport;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Smart HTTP as git and curl see it: authentication, public read, request encodings, and no dumb protocol. */
class HttpAccessTest extends SharedDaemon {
    static GitUser carol;
    static GitUser nobody;
    static final String PRIVATE = "alice/private-model";
    static final String PUBLIC = "alice/public-model";

    @BeforeAll
    static void setUp() {
        carol = GitUser.create(server, base, "carol");
        nobody = GitUser.anonymous(server, base);
        Repos.seeded(server, alice, base, PRIVATE);
        Repos.seeded(server, alice, base, PUBLIC, "--public");
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + server.httpPort() + path;
    }

    private static String infoRefs(String repo) {
        return url("/" + repo + ".git/info/refs?service=git-upload-pack");
    }

    @Test
    void anonymousCallersAreChallengedTheSameWhetherTheRepositoryExistsOrNot() {
        Curl.Response existing = Curl.run(infoRefs(PRIVATE));
        Curl.Response missing = Curl.run(infoRefs("alice/no-such-model"));
        assertEquals(401, existing.status());
        assertTrue(existing.hasHeader("WWW-Authenticate: Basic realm=\"thetahost\""), existing.headers());
        assertEquals(existing.status(), missing.status());
        assertEquals(existing.body(), missing.body());
        assertTrue(missing.hasHeader("WWW-Authenticate: Basic realm=\"thetahost\""));
    }

    @Test
    void aWrongTokenIsChallengedAgain() {
        Curl.Response r = Curl.run("-u", "alice:tht_not-a-token", infoRefs(PRIVATE));
        assertEquals(401, r.status());
        assertTrue(r.hasHeader("WWW-Authenticate: Basic"));
        assertEquals(200, Curl.run("-u", "alice:" + alice.token(), infoRefs(PRIVATE)).status());
    }

    @Test
    void gitAsksItsCredentialHelperAfterThe401() throws Exception {
        Path dir = Files.createTempDirectory(base, "helper-");
        // No helper and no terminal: git reaches the point of asking, and says so.
        Cmd.Result noHelper = nobody.git(dir, "clone", nobody.url(Transport.HTTP, PRIVATE), "a");
        noHelper.assertFailed();
        assertTrue(noHelper.err().contains("could not read Username"), noHelper.err());
        // A helper that answers: the clone goes through.
        String helper = "!f() { echo username=alice; echo password=" + alice.token() + "; }; f";
        nobody.git(dir, "-c", "credential.helper=" + helper, "clone", nobody.url(Transport.HTTP, PRIVATE), "b")
                .assertOk();
        assertTrue(Files.exists(dir.resolve("b/README.md")));
    }

    @Test
    void publicRepositoriesAreReadableByAnyoneAndWritableByGrantOnly() throws Exception {
        Path dir = Files.createTempDirectory(base, "public-");
        nobody.git(dir, "clone", nobody.url(Transport.HTTP, PUBLIC), "anon").assertOk();
        Path anon = dir.resolve("anon");
        assertTrue(Files.exists(anon.resolve("README.md")));
        Repos.commitFile(nobody, anon, "x.txt", "x\n", "anonymous change");
        Cmd.Result anonPush = nobody.git(anon, "push", "origin", "main");
        anonPush.assertFailed();
        assertTrue(anonPush.err().contains("could not read Username"), "anonymous push is challenged: "
                + anonPush.err());

        carol.git(dir, "clone", carol.url(Transport.HTTP, PUBLIC), "carol").assertOk();
        Path c = dir.resolve("carol");
        Repos.commitFile(carol, c, "y.txt", "y\n", "carol's change");
        Cmd.Result carolPush = carol.git(c, "push", "origin", "main");
        carolPush.assertFailed();
        assertTrue(carolPush.err().contains("403"), carolPush.err());
        Curl.Response forbidden = Curl.run("-u", "carol:" + carol.token(),
                url("/" + PUBLIC + ".git/info/refs?service=git-receive-pack"));
        assertEquals(403, forbidden.status());
        assertTrue(forbidden.body().contains("carol may read alice/public-model but not write to it"),
                forbidden.body());
    }

    @Test
    void gzipEncodedRequestBodies() throws Exception {
        byte[] request = pkt("command=ls-refs\n", "0001", "peel\n", "0000");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(request);
        }
        Path body = base.resolve("ls-refs.gz");
        Files.write(body, gz.toByteArray());
        Curl.Response r = Curl.run("-u", "alice:" + alice.token(), "-H", "Git-Protocol: version=2",
                "-H", "Content-Type: application/x-git-upload-pack-request", "-H", "Content-Encoding: gzip",
                "--data-binary", "@" + body, url("/" + PRIVATE + ".git/git-upload-pack"));
        assertEquals(200, r.status());
        assertTrue(r.body().contains("refs/heads/main"), r.body());
    }

    @Test
    void chunkedRequestBodies() throws Exception {
        Path body = base.resolve("ls-refs");
        Files.write(body, pkt("command=ls-refs\n", "0001", "0000"));
        Curl.Response r = Curl.run("-u", "alice:" + alice.token(), "-H", "Git-Protocol: version=2",
                "-H", "Content-Type: application/x-git-upload-pack-request", "-H", "Transfer-Encoding: chunked",
                "--data-binary", "@" + body, url("/" + PRIVATE + ".git/git-upload-pack"));
        assertEquals(200, r.status());
        assertTrue(r.body().contains("refs/heads/main"), r.body());

        // git itself sends a push larger than http.postBuffer chunked.
        Path dir = Files.createTempDirectory(base, "chunked-");
        alice.git(dir, "clone", alice.url(Transport.HTTP, PRIVATE), "w").assertOk();
        Path w = dir.resolve("w");
        byte[] blob = new byte[3 << 20];
        new Random(1).nextBytes(blob);
        Files.write(w.resolve("weights.bin"), blob);
        alice.git(w, "add", "weights.bin").assertOk();
        alice.git(w, "commit", "-q", "-m", "3 MB of weights").assertOk();
        Cmd.Result push = alice.git(w, "-c", "http.postBuffer=65536", "push", "origin", "main");
        push.assertOk();
        assertEquals("blob", server.objectType(PRIVATE, "main:weights.bin"), "the server holds the pushed file");
        Path again = Files.createTempDirectory(base, "chunked-clone-");
        alice.git(again, "clone", alice.url(Transport.HTTP, PRIVATE), "w").assertOk();
        assertArrayEquals(blob, Files.readAllBytes(again.resolve("w/weights.bin")));
    }

    @Test
    void thereIsNoDumbProtocol() throws Exception {
        String auth = "alice:" + alice.token();
        for (String path : new String[] {"/info/refs", "/HEAD", "/objects/info/packs", "/config"}) {
            Curl.Response r = Curl.run("-u", auth, url("/" + PRIVATE + ".git" + path));
            assertEquals(404, r.status(), path);
        }
        Curl.Response r = Curl.run("-u", auth, url("/" + PRIVATE + ".git/info/refs"));
        assertTrue(r.body().contains("smart HTTP protocol only"), r.body());
        Path dir = Files.createTempDirectory(base, "dumb-");
        Cmd.Result dumb = Cmd.of("git", "clone", alice.url(Transport.HTTP, PRIVATE), "w").in(dir).env(alice.env())
                .env("GIT_SMART_HTTP", "0").run();
        dumb.assertFailed();
    }

    @Test
    void malformedRequestsGetClearStatuses() throws Exception {
        String auth = "alice:" + alice.token();
        Curl.Response get = Curl.run("-u", auth, url("/" + PRIVATE + ".git/git-upload-pack"));
        assertEquals(405, get.status());
        Curl.Response type = Curl.run("-u", auth, "-H", "Content-Type: text/plain", "--data-binary", "0000",
                url("/" + PRIVATE + ".git/git-upload-pack"));
        assertEquals(415, type.status());
        assertTrue(type.body().contains("application/x-git-upload-pack-request"), type.body());
        Curl.Response service = Curl.run("-u", auth, url("/" + PRIVATE + ".git/info/refs?service=git-shell"));
        assertEquals(403, service.status());
        assertTrue(service.body().contains("unknown service 'git-shell'"), service.body());
        String huge = "X-Padding: " + "a".repeat(20_000);
        Curl.Response headers = Curl.run("-H", huge, infoRefs(PUBLIC));
        assertEquals(431, headers.status());
        assertEquals(200, Curl.run(infoRefs(PUBLIC)).status(), "the daemon goes on serving");
    }

    /** Frames lines as pkt-lines; the special packets 0000 and 0001 are given as themselves. */
    static byte[] pkt(String... lines) {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            if (l.length() == 4 && l.startsWith("000")) {
                b.append(l);
            } else {
                b.append(String.format("%04x", l.getBytes(StandardCharsets.UTF_8).length + 4)).append(l);
            }
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
