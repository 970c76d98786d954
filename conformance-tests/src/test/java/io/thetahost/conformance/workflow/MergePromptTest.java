package io.thetahost.conformance.workflow;

import static io.thetahost.conformance.support.CheckpointFiles.scaled;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.CheckpointFiles;
import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The merge driver asks on the terminal, as git-theta's merge tool does, when no strategy is configured: git runs
 * under {@code script}, which gives it a real pseudo-terminal, and the answers are typed into it. No server: the
 * repository is local, and every tensor is in its store.
 */
class MergePromptTest {
    private static final String MODEL = "model.safetensors";
    private static final String FC = "transformer.h.0.mlp.c_fc.weight";

    @TempDir
    Path dir;

    @Test
    void aParameterChangedOnBothSidesIsAskedAbout() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve(".gitconfig"), "[user]\n\tname = t\n\temail = t@example.com\n"
                + "[init]\n\tdefaultBranch = main\n");
        Map<String, String> env = Map.of("HOME", home.toString(), "GIT_CONFIG_NOSYSTEM", "1", "LC_ALL", "C");
        Path repo = dir.resolve("repo");
        Cmd.of("git", "init", "-q", repo.toString()).env(env).run().assertOk();
        run(repo, env, Fixtures.binTheta().toString(), "install").assertOk();
        run(repo, env, Fixtures.binTheta().toString(), "track", MODEL).assertOk();
        CheckpointFiles base = CheckpointFiles.read(Fixtures.checkpoint("base.safetensors"));
        Files.write(repo.resolve(MODEL), base.bytes());
        run(repo, env, "git", "add", MODEL).assertOk();
        run(repo, env, "git", "commit", "-qm", "base").assertOk();
        run(repo, env, "git", "checkout", "-qb", "p").assertOk();
        Files.write(repo.resolve(MODEL), base.withFloats(FC, v -> scaled(v, 1.5f)));
        run(repo, env, "git", "commit", "-qam", "p").assertOk();
        run(repo, env, "git", "checkout", "-qb", "q", "main").assertOk();
        Files.write(repo.resolve(MODEL), base.withFloats(FC, v -> scaled(v, 0.25f)));
        run(repo, env, "git", "commit", "-qam", "q").assertOk();
        run(repo, env, "git", "checkout", "-q", "p").assertOk();

        // Quit: the merge stops with the conflict.
        Cmd.Result quit = Cmd.of("script", "-qec", "git merge --no-edit q", "/dev/null").in(repo).env(env)
                .stdin("q\n").run();
        assertNotEquals(0, quit.exit(), quit.all());
        assertTrue(quit.out().contains(FC + " (F32 [160, 640]) changed on both sides.")
                && quit.out().contains("[a]vg / take [o]urs / take [t]heirs / [q]uit?")
                && quit.out().contains("CONFLICT in model.safetensors"), quit.out());
        run(repo, env, "git", "merge", "--abort").assertOk();

        // An answer it does not know is asked again; then average.
        Cmd.Result avg = Cmd.of("script", "-qec", "git merge --no-edit q", "/dev/null").in(repo).env(env)
                .stdin("maybe\na\n").run();
        assertEquals(0, avg.exit(), avg.all());
        assertTrue(avg.out().contains("please answer a, o, t or q") && avg.out().contains(
                FC + " changed on both sides: average"), avg.out());
        float[] up = scaled(base.floats(FC), 1.5f);
        float[] down = scaled(base.floats(FC), 0.25f);
        float[] expected = new float[up.length];
        for (int i = 0; i < up.length; i++) {
            expected[i] = 0.5f * up[i] + 0.5f * down[i];
        }
        assertArrayEquals(CheckpointFiles.f32(expected), CheckpointFiles.read(repo.resolve(MODEL)).raw(FC));
        assertEquals("", run(repo, env, "git", "status", "--porcelain").assertOk().out());
    }

    private static Cmd.Result run(Path dir, Map<String, String> env, String... args) {
        return Cmd.of(args).in(dir).env(env).run();
    }

}
