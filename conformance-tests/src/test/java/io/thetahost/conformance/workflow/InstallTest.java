package io.thetahost.conformance.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * theta install --local: the drivers in the repository's configuration only, and the pre-push hook chained after one
 * the repository had, which keeps running (and stopping the push) as before.
 */
class InstallTest {
    @TempDir
    Path dir;

    @Test
    void localInstallChainsTheHookThatWasThere() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve(".gitconfig"), "[user]\n\tname = t\n\temail = t@example.com\n"
                + "[init]\n\tdefaultBranch = main\n");
        Map<String, String> env = Map.of("HOME", home.toString(), "GIT_CONFIG_NOSYSTEM", "1", "LC_ALL", "C");
        Path remote = dir.resolve("remote.git");
        Path repo = dir.resolve("repo");
        run(dir, env, "git", "init", "-q", "--bare", remote.toString()).assertOk();
        run(dir, env, "git", "init", "-q", repo.toString()).assertOk();
        run(repo, env, "git", "remote", "add", "origin", remote.toUri().toString()).assertOk();
        Path marker = dir.resolve("old-hook-ran");
        Path hook = repo.resolve(".git/hooks/pre-push");
        Files.writeString(hook, "#!/bin/sh\ncat > '" + marker + "'\n[ ! -e '" + dir.resolve("refuse") + "' ]\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));

        Cmd.Result install = run(repo, env, Fixtures.binTheta().toString(), "install", "--local").assertOk();
        assertTrue(install.out().contains("repository's git configuration")
                && install.out().contains("the one there before runs first, as pre-push.before-theta"), install.out());
        assertTrue(run(repo, env, "git", "config", "--local", "filter.theta.process").assertOk().out()
                .contains("filter-process"));
        assertEquals("true\n", run(repo, env, "git", "config", "--local", "filter.theta.required").assertOk().out());
        assertTrue(run(repo, env, "git", "config", "--local", "merge.theta.driver").assertOk().out()
                .contains("merge-driver %O %A %B %P"));
        assertFalse(Files.readString(home.resolve(".gitconfig")).contains("theta"), "the global configuration is "
                + "left alone");
        assertTrue(Files.readString(hook).contains("# theta pre-push hook"));
        assertTrue(Files.isExecutable(repo.resolve(".git/hooks/pre-push.before-theta")));
        assertTrue(run(repo, env, Fixtures.binTheta().toString(), "install", "--local").assertOk().out()
                .contains("installed the pre-push hook"), "installing again keeps the chain as it is");
        assertTrue(Files.isExecutable(repo.resolve(".git/hooks/pre-push.before-theta")));

        // A push runs the old hook with git's input, then theta's (nothing tracked: nothing to upload).
        Files.writeString(repo.resolve("README"), "a model\n");
        run(repo, env, "git", "add", "README").assertOk();
        run(repo, env, "git", "commit", "-qm", "readme").assertOk();
        run(repo, env, "git", "push", "-q", "origin", "HEAD:main").assertOk();
        assertTrue(Files.readString(marker).contains("refs/heads/main"), "the old hook saw the refs being pushed");

        // The old hook still stops a push.
        Files.createFile(dir.resolve("refuse"));
        Files.writeString(repo.resolve("README"), "a model, again\n");
        run(repo, env, "git", "commit", "-qam", "again").assertOk();
        run(repo, env, "git", "push", "-q", "origin", "HEAD:main").assertFailed();
        assertEquals(run(remote, env, "git", "rev-parse", "main").assertOk().out(),
                run(repo, env, "git", "rev-parse", "HEAD~1").assertOk().out(), "main did not move");
    }

    private static Cmd.Result run(Path dir, Map<String, String> env, String... args) {
        return Cmd.of(args).in(dir).env(env).run();
    }
}
