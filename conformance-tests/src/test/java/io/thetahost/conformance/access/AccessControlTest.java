package io.thetahost.conformance.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Curl;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.Repos;
import io.thetahost.conformance.support.SharedDaemon;
import io.thetahost.conformance.support.ThetahostServer;
import io.thetahost.conformance.support.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** read / write / admin per repository, changed by the admin CLI while the daemon runs, and names that leak nothing. */
class AccessControlTest extends SharedDaemon {
    static GitUser bob;

    @BeforeAll
    static void setUp() {
        bob = GitUser.create(server, base, "bob");
    }

    private static Cmd.Result tryPush(GitUser user, Transport transport, String repo, Path work, String file) {
        Repos.commitFile(user, work, file, file + "\n", "change by " + user.name());
        return user.git(work, "push", user.url(transport, repo), "HEAD:main");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void grantsTakeEffectAtOnce(Transport transport) throws Exception {
        String repo = "alice/grants-" + transport.name().toLowerCase();
        Repos.seeded(server, alice, base, repo);
        Path dir = Files.createTempDirectory(base, "grants-");

        Cmd.Result hidden = bob.git(dir, "clone", bob.url(transport, repo), "w");
        hidden.assertFailed();
        assertTrue(hidden.err().contains("not found"), hidden.err());

        server.admin("repo", "grant", repo, "bob", "read").assertOk();
        bob.git(dir, "clone", bob.url(transport, repo), "w").assertOk();
        Path w = dir.resolve("w");
        String before = Repos.serverRef(server, repo, "refs/heads/main");
        Cmd.Result readOnly = tryPush(bob, transport, repo, w, "one.txt");
        readOnly.assertFailed();
        assertTrue(readOnly.err().contains(transport == Transport.SSH
                ? "bob may read " + repo + " but not write to it" : "403"), readOnly.err());
        assertEquals(before, Repos.serverRef(server, repo, "refs/heads/main"));

        server.admin("repo", "grant", repo, "bob", "write").assertOk();
        bob.git(w, "push", bob.url(transport, repo), "HEAD:main").assertOk();
        assertEquals(Repos.head(bob, w), Repos.serverRef(server, repo, "refs/heads/main"));

        server.admin("repo", "grant", repo, "bob", "admin").assertOk();
        tryPush(bob, transport, repo, w, "two.txt").assertOk();

        server.admin("repo", "grant", repo, "bob", "none").assertOk();
        Cmd.Result revoked = bob.git(w, "fetch", bob.url(transport, repo));
        revoked.assertFailed();
        assertTrue(revoked.err().contains("not found"), revoked.err());
        assertTrue(server.admin("repo", "list").assertOk().out().contains(repo + "\tprivate"));
    }

    @Test
    void unreadableAndMissingRepositoriesAnswerAlike() throws Exception {
        Repos.seeded(server, alice, base, "alice/secret");
        Path dir = Files.createTempDirectory(base, "alike-");
        Cmd.Result secret = bob.ssh("127.0.0.1", "git-upload-pack '/alice/secret.git'").run();
        Cmd.Result missing = bob.ssh("127.0.0.1", "git-upload-pack '/alice/nothing.git'").run();
        assertEquals(secret.exit(), missing.exit());
        assertEquals(secret.err().replace("secret", "X"), missing.err().replace("nothing", "X"));
        assertEquals("ERROR: repository 'alice/secret' not found\n", secret.err());

        String auth = "bob:" + bob.token();
        Curl.Response s = Curl.run("-u", auth, "http://127.0.0.1:" + server.httpPort()
                + "/alice/secret.git/info/refs?service=git-upload-pack");
        Curl.Response m = Curl.run("-u", auth, "http://127.0.0.1:" + server.httpPort()
                + "/alice/nothing.git/info/refs?service=git-upload-pack");
        assertEquals(404, s.status());
        assertEquals(s.status(), m.status());
        assertEquals(s.body().replace("secret", "X"), m.body().replace("nothing", "X"));
        assertFalse(bob.git(dir, "clone", bob.url(Transport.HTTP, "alice/secret"), "w").ok());
    }

    @Test
    void theOwnerHoldsAdminAndGrantsNeedAUser() {
        Repos.seeded(server, alice, base, "alice/owned");
        Cmd.Result self = server.admin("repo", "grant", "alice/owned", "alice", "read");
        self.assertFailed();
        assertTrue(self.err().contains("owns alice/owned"), self.err());
        Cmd.Result ghost = server.admin("repo", "grant", "alice/owned", "ghost", "read");
        ghost.assertFailed();
        assertTrue(ghost.err().contains("no such user 'ghost'"), ghost.err());
        Cmd.Result word = server.admin("repo", "grant", "alice/owned", "bob", "superuser");
        word.assertFailed();
        assertTrue(word.err().contains("unknown permission 'superuser'"), word.err());
        Cmd.Result twice = server.admin("repo", "create", "alice/owned");
        twice.assertFailed();
        assertTrue(twice.err().contains("already exists"), twice.err());
    }

    private static String tree(Path root) {
        return Repos.walk(root).map(p -> root.relativize(p).toString()).sorted().collect(Collectors.joining("\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "../escape", "alice/../../escape", "/tmp/abs", "alice/a\\b", "alice/tab\there", "alice/bell\u0007",
        "alice", "alice/a/b", "alice/x.lock", "alice/.hidden", "alice/-option", "alice/name.", "alice/sp ace",
        "alice/x.git.git", "", "alice/caf\u00e9"})
    void badRepositoryNamesAreRefusedAndChangeNothing(String name) {
        Path repos = server.data().resolve("repos");
        String before = tree(repos);
        Cmd.Result r = server.admin("repo", "create", name);
        r.assertFailed();
        assertTrue(r.err().contains("name"), "the message names the problem: " + r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertEquals(before, tree(repos));
    }

    @Test
    void linksOutOfTheDataDirectoryAreNotFollowed() throws Exception {
        ThetahostServer.assumeEmbedded("repositories live in DATA/repos only in the embedded mode");
        Path outside = Files.createDirectories(base.resolve("outside"));
        Path repos = server.data().resolve("repos");
        Files.createSymbolicLink(repos.resolve("evil"), outside);
        Cmd.Result r = server.admin("repo", "create", "evil/model");
        r.assertFailed();
        assertTrue(r.err().contains("not a plain directory"), r.err());
        assertEquals(List.of(), Files.list(outside).toList(), "nothing was written through the link");

        // A repository outside DATA, linked in by hand, is not served.
        Cmd.of("git", "init", "-q", "--bare", outside.resolve("stolen.git").toString()).run().assertOk();
        Files.createDirectories(repos.resolve("alice"));
        Files.createSymbolicLink(repos.resolve("alice/stolen.git"), outside.resolve("stolen.git"));
        Cmd.Result viaLink = alice.ssh("127.0.0.1", "git-upload-pack '/alice/stolen.git'").run();
        viaLink.assertFailed();
        assertTrue(viaLink.err().contains("not found"), viaLink.err());
    }

    @Test
    void hostileRequestPathsAreRefused() {
        Cmd.Result ssh = alice.ssh("127.0.0.1", "git-upload-pack '../../etc/passwd'").run();
        ssh.assertFailed();
        assertTrue(ssh.err().contains("invalid repository name"), ssh.err());
        Curl.Response http = Curl.run("--path-as-is", "-u", "alice:" + alice.token(), "http://127.0.0.1:"
                + server.httpPort() + "/alice/../../etc.git/info/refs?service=git-upload-pack");
        assertEquals(400, http.status());
        assertTrue(http.body().contains("invalid repository name"), http.body());
    }
}
