package io.thetahost.conformance.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.Repos;
import io.thetahost.conformance.support.SharedDaemon;
import io.thetahost.conformance.support.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Two people push diverging commits to the same branch at the same moment. */
class ConcurrentPushTest extends SharedDaemon {
    private static final int ROUNDS = 4;

    static GitUser bob;

    @BeforeAll
    static void setUp() {
        bob = GitUser.create(server, base, "bob");
    }

    @ParameterizedTest(name = "alice over {0}, bob over {1}")
    @CsvSource({"SSH, SSH", "HTTP, HTTP", "SSH, HTTP"})
    void oneWinsTheOtherIsRejectedAndTheRepositoryStaysWhole(Transport aliceWay, Transport bobWay)
            throws Exception {
        String repo = "alice/race-" + aliceWay.name().toLowerCase() + "-" + bobWay.name().toLowerCase();
        Repos.seeded(server, alice, base, repo);
        server.admin("repo", "grant", repo, "bob", "write").assertOk();
        Path dir = Files.createTempDirectory(base, "race-");
        alice.git(dir, "clone", "-q", alice.url(aliceWay, repo), "a").assertOk();
        bob.git(dir, "clone", "-q", bob.url(bobWay, repo), "b").assertOk();
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");

        for (int round = 0; round < ROUNDS; round++) {
            // Both start from the server's current main, so their commits diverge.
            alice.git(a, "pull", "-q", "--rebase").assertOk();
            bob.git(b, "pull", "-q", "--rebase").assertOk();
            String aliceCommit = Repos.commitFile(alice, a, "alice.txt", "round " + round + "\n", "alice " + round);
            String bobCommit = Repos.commitFile(bob, b, "bob.txt", "round " + round + "\n", "bob " + round);

            CompletableFuture<Cmd.Result> alicePush = CompletableFuture.supplyAsync(
                    () -> alice.git(a, "push", "origin", "main"));
            CompletableFuture<Cmd.Result> bobPush = CompletableFuture.supplyAsync(
                    () -> bob.git(b, "push", "origin", "main"));
            Cmd.Result ar = alicePush.get();
            Cmd.Result br = bobPush.get();

            assertTrue(ar.ok() ^ br.ok(), "exactly one push wins:\n" + ar.describe("alice") + "\n"
                    + br.describe("bob"));
            Cmd.Result loser = ar.ok() ? br : ar;
            assertTrue(loser.err().contains("[rejected]") || loser.err().contains("[remote rejected]"),
                    "the other gets git's ordinary rejection:\n" + loser.err());
            assertEquals(ar.ok() ? aliceCommit : bobCommit, Repos.serverRef(server, repo, "refs/heads/main"));
            Repos.assertServerIntact(server, repo);
        }
    }
}
