package io.thetahost.conformance.git;

import static io.thetahost.conformance.support.Repos.commitFile;
import static io.thetahost.conformance.support.Repos.serverRef;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.Repos;
import io.thetahost.conformance.support.SharedDaemon;
import io.thetahost.conformance.support.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Everyday git against the daemon, over SSH and HTTP, with protocol v0 and v2. */
class GitWorkflowTest extends SharedDaemon {
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> matrix() {
        return Repos.transportsAndProtocols();
    }

    private static Path dir(String name) throws Exception {
        return Files.createTempDirectory(base, name + "-");
    }

    @ParameterizedTest(name = "{0} protocol v{1}")
    @MethodSource("matrix")
    void cloneEmptyPushCloneFetchPull(Transport transport, int protocol) throws Exception {
        String repo = Repos.unique("alice", "everyday", transport, protocol);
        server.admin("repo", "create", repo).assertOk();
        GitUser user = alice.speaking(protocol);
        String url = user.url(transport, repo);

        Path first = dir("first");
        Cmd.Result emptyClone = user.git(first, "clone", url, "w");
        emptyClone.assertOk();
        assertTrue(emptyClone.err().contains("cloned an empty repository"), emptyClone.err());
        Path w1 = first.resolve("w");
        String c1 = commitFile(user, w1, "model/config.json", "{\"layers\": 4}\n", "first");
        user.git(w1, "push", "origin", "HEAD:main").assertOk();
        assertEquals(c1, serverRef(server, repo, "refs/heads/main"));

        Path second = dir("second");
        user.git(second, "clone", url, "w").assertOk();
        Path w2 = second.resolve("w");
        assertEquals("{\"layers\": 4}\n", Files.readString(w2.resolve("model/config.json")));
        assertEquals(c1, Repos.head(user, w2));

        String c2 = commitFile(user, w1, "model/config.json", "{\"layers\": 8}\n", "second");
        user.git(w1, "push", "origin", "main").assertOk();
        user.git(w2, "fetch", "origin").assertOk();
        assertEquals(c2, user.git(w2, "rev-parse", "origin/main").assertOk().out().strip());
        assertEquals("{\"layers\": 4}\n", Files.readString(w2.resolve("model/config.json")));
        user.git(w2, "pull", "--ff-only").assertOk();
        assertEquals("{\"layers\": 8}\n", Files.readString(w2.resolve("model/config.json")));

        List<String> uploadLines = server.requestLog().stream()
                .filter(l -> l.contains("repo=" + repo + " ") && l.contains("service=git-upload-pack"))
                .filter(l -> l.contains("result=ok"))
                .toList();
        assertTrue(!uploadLines.isEmpty(), "fetches are logged");
        String transportWord = "transport=" + transport.name().toLowerCase();
        for (String line : uploadLines) {
            assertTrue(line.contains(transportWord) && line.contains("protocol=" + protocol)
                    && line.contains("user=alice"), line);
            assertTrue(line.matches(".* in=\\d+ out=\\d+ ms=\\d+ result=ok.*"), line);
        }
    }

    @ParameterizedTest(name = "{0} protocol v{1}")
    @MethodSource("matrix")
    void branchesTagsAndDeletion(Transport transport, int protocol) throws Exception {
        String repo = Repos.unique("alice", "refs", transport, protocol);
        Path work = Repos.seeded(server, alice, base, repo);
        GitUser user = alice.speaking(protocol);
        String url = user.url(transport, repo);
        user.git(work, "remote", "add", "hosted", url).assertOk();

        user.git(work, "checkout", "-q", "-b", "lora-rte").assertOk();
        String branchTip = commitFile(user, work, "notes.txt", "rte\n", "on a branch");
        user.git(work, "tag", "v1-light").assertOk();
        user.git(work, "tag", "-a", "v1", "-m", "release 1").assertOk();
        user.git(work, "push", "hosted", "lora-rte", "v1-light", "v1").assertOk();
        assertEquals(branchTip, serverRef(server, repo, "refs/heads/lora-rte"));
        assertEquals(branchTip, serverRef(server, repo, "refs/tags/v1-light"));
        assertEquals(branchTip, serverRef(server, repo, "refs/tags/v1"));
        assertEquals("tag", server.objectType(repo, "refs/tags/v1"), "the annotated tag arrived as a tag object");

        Path clone = dir("tags");
        user.git(clone, "clone", url, "w").assertOk();
        String tags = user.git(clone.resolve("w"), "tag", "--list").assertOk().out();
        assertTrue(tags.contains("v1") && tags.contains("v1-light"), tags);

        user.git(work, "push", "hosted", "--delete", "lora-rte").assertOk();
        assertNull(serverRef(server, repo, "refs/heads/lora-rte"));
        user.git(work, "push", "hosted", ":refs/tags/v1-light").assertOk();
        assertNull(serverRef(server, repo, "refs/tags/v1-light"));
        Repos.assertServerIntact(server, repo);
    }

    @ParameterizedTest(name = "{0} protocol v{1}")
    @MethodSource("matrix")
    void forcePushRewritesOnlyWhenForced(Transport transport, int protocol) throws Exception {
        String repo = Repos.unique("alice", "force", transport, protocol);
        Path work = Repos.seeded(server, alice, base, repo);
        GitUser user = alice.speaking(protocol);
        user.git(work, "remote", "add", "hosted", user.url(transport, repo)).assertOk();
        String before = serverRef(server, repo, "refs/heads/main");

        user.git(work, "commit", "-q", "--amend", "-m", "rewritten history").assertOk();
        String rewritten = Repos.head(user, work);
        Cmd.Result plain = user.git(work, "push", "hosted", "main");
        plain.assertFailed();
        assertTrue(plain.err().contains("[rejected]"), plain.err());
        assertEquals(before, serverRef(server, repo, "refs/heads/main"));

        user.git(work, "push", "--force", "hosted", "main").assertOk();
        assertEquals(rewritten, serverRef(server, repo, "refs/heads/main"));
    }

    @ParameterizedTest(name = "{0} protocol v{1}")
    @MethodSource("matrix")
    void atomicPushUpdatesAllRefsOrNone(Transport transport, int protocol) throws Exception {
        String repo = Repos.unique("alice", "atomic", transport, protocol);
        Path work = Repos.seeded(server, alice, base, repo);
        GitUser user = alice.speaking(protocol);
        user.git(work, "remote", "add", "hosted", user.url(transport, repo)).assertOk();
        String mainBefore = serverRef(server, repo, "refs/heads/main");

        // main is rewritten (the server will refuse it without force); feature is new and fine on its own.
        user.git(work, "commit", "-q", "--amend", "-m", "diverged").assertOk();
        user.git(work, "branch", "feature").assertOk();
        Cmd.Result atomic = user.git(work, "push", "--atomic", "hosted", "main", "feature");
        atomic.assertFailed();
        assertTrue(atomic.err().contains("atomic"), atomic.err());
        assertEquals(mainBefore, serverRef(server, repo, "refs/heads/main"));
        assertNull(serverRef(server, repo, "refs/heads/feature"), "an atomic push that fails moves no ref");

        Cmd.Result plain = user.git(work, "push", "hosted", "main", "feature");
        plain.assertFailed();
        assertEquals(mainBefore, serverRef(server, repo, "refs/heads/main"));
        assertEquals(Repos.head(user, work), serverRef(server, repo, "refs/heads/feature"),
                "without --atomic the good ref goes through");
    }

    @ParameterizedTest(name = "{0} protocol v{1}")
    @MethodSource("matrix")
    void pushOptionsReachTheChecks(Transport transport, int protocol) throws Exception {
        String repo = Repos.unique("alice", "options", transport, protocol);
        Path work = Repos.seeded(server, alice, base, repo);
        GitUser user = alice.speaking(protocol);
        user.git(work, "remote", "add", "hosted", user.url(transport, repo)).assertOk();
        String before = serverRef(server, repo, "refs/heads/main");
        String next = commitFile(user, work, "a.txt", "a\n", "with options");

        Cmd.Result misspelt = user.git(work, "push", "-o", "ci.skip", "-o", "theta.chek-merge=rte", "hosted",
                "main");
        misspelt.assertFailed();
        assertTrue(misspelt.err().contains("unknown push option 'theta.chek-merge'"), misspelt.err());
        assertEquals(before, serverRef(server, repo, "refs/heads/main"));

        user.git(work, "push", "-o", "ci.skip", "-o", "reviewer=bob", "hosted", "main").assertOk();
        assertEquals(next, serverRef(server, repo, "refs/heads/main"));
    }

    @ParameterizedTest(name = "{0} protocol v{1}")
    @MethodSource("matrix")
    void progressArrivesOnTheSideband(Transport transport, int protocol) throws Exception {
        String repo = Repos.unique("alice", "progress", transport, protocol);
        Path work = Repos.seeded(server, alice, base, repo);
        GitUser user = alice.speaking(protocol);
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 20000; i++) {
            big.append("line ").append(i).append('\n');
        }
        commitFile(user, work, "big.txt", big.toString(), "big text");
        big.append("one more line\n");
        commitFile(user, work, "big.txt", big.toString(), "a delta of it");
        Cmd.Result push = user.git(work, "push", "--progress", user.url(transport, repo), "main");
        push.assertOk();
        assertTrue(push.err().contains("remote: "), "receive-pack progress reaches the pusher:\n" + push.err());

        Path clone = dir("progress");
        Cmd.Result c = user.git(clone, "clone", "--progress", user.url(transport, repo), "w");
        c.assertOk();
        assertTrue(c.err().contains("remote: Counting objects") || c.err().contains("remote: Enumerating objects")
                || c.err().contains("remote: Finding sources"), "upload-pack progress:\n" + c.err());
    }
}
