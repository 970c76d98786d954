package io.thetahost.conformance.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What git add hands the clean filter that is not a checkpoint: refused with the reason, and nothing staged. */
class FilterInputTest {
    @TempDir
    Path dir;

    @Test
    void brokenCheckpointsAreRefusedAndNothingIsStaged() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve(".gitconfig"), "[user]\n\tname = t\n\temail = t@example.com\n");
        Map<String, String> env = Map.of("HOME", home.toString(), "GIT_CONFIG_NOSYSTEM", "1", "LC_ALL", "C");
        Path repo = dir.resolve("repo");
        Cmd.of("git", "init", "-q", repo.toString()).env(env).run().assertOk();
        run(repo, env, Fixtures.binTheta().toString(), "install", "--local").assertOk();
        run(repo, env, Fixtures.binTheta().toString(), "track", "*.safetensors").assertOk();
        byte[] base = Files.readAllBytes(Fixtures.checkpoint("base.safetensors"));

        Files.write(repo.resolve("cut.safetensors"), Arrays.copyOf(base, base.length / 2));
        Cmd.Result cut = run(repo, env, "git", "add", "cut.safetensors").assertFailed();
        assertTrue(cut.err().contains("theta: clean cut.safetensors: "), cut.err());

        byte[] huge = base.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
        Files.write(repo.resolve("huge.safetensors"), huge);
        Cmd.Result header = run(repo, env, "git", "add", "huge.safetensors").assertFailed();
        assertTrue(header.err().contains("theta: clean huge.safetensors: ") && header.err().contains("header"),
                header.err());

        Files.writeString(repo.resolve("text.safetensors"), "{\"not\": \"a manifest\"}\n");
        Cmd.Result text = run(repo, env, "git", "add", "text.safetensors").assertFailed();
        assertTrue(text.err().contains("text.safetensors is neither a safetensors checkpoint nor a theta manifest"),
                text.err());

        assertEquals("A  .gitattributes\n", run(repo, env, "git", "status", "--porcelain", "--untracked-files=no")
                .assertOk().out(), "only what theta track staged");
        Files.write(repo.resolve("model.safetensors"), base);
        run(repo, env, "git", "add", "model.safetensors").assertOk();
        assertTrue(run(repo, env, "git", "show", ":model.safetensors").assertOk().out()
                .startsWith("{\n  \"thetahost_manifest\": 1,"));
    }

    private static Cmd.Result run(Path dir, Map<String, String> env, String... args) {
        return Cmd.of(args).in(dir).env(env).run();
    }
}
