package io.thetahost.conformance.workflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import io.thetahost.protocol.manifest.InvalidManifestException;
import io.thetahost.protocol.manifest.ManifestFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What git hands the filter that is neither a checkpoint nor a manifest: git add refuses it with the reason and stages
 * nothing; a checkout of such a blob (committed around the filter) fails with the reason and writes nothing.
 */
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

    @Test
    void aBlobThatIsNeitherCheckpointNorManifestFailsTheCheckoutAndWritesNothing() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve(".gitconfig"), "[user]\n\tname = t\n\temail = t@example.com\n");
        Map<String, String> env = Map.of("HOME", home.toString(), "GIT_CONFIG_NOSYSTEM", "1", "LC_ALL", "C");
        Path repo = dir.resolve("repo");
        Cmd.of("git", "init", "-q", repo.toString()).env(env).run().assertOk();
        run(repo, env, Fixtures.binTheta().toString(), "install", "--local").assertOk();
        byte[] base = Files.readAllBytes(Fixtures.checkpoint("base.safetensors"));
        // A checkpoint committed before its path was tracked is checked out as it was committed.
        Files.write(repo.resolve("early.safetensors"), base);
        run(repo, env, "git", "add", "early.safetensors").assertOk();
        run(repo, env, "git", "commit", "-q", "-m", "early").assertOk();
        run(repo, env, Fixtures.binTheta().toString(), "track", "*.safetensors").assertOk();
        // JSON that never went through theta's clean filter, as a push around the server's checks would bring it.
        byte[] text = "{\"not\": \"a manifest\"}\n".getBytes(StandardCharsets.UTF_8);
        String reason = assertThrows(InvalidManifestException.class, () -> ManifestFormat.read(text)).getMessage();
        String blob = Cmd.of("git", "hash-object", "-w", "--stdin").in(repo).env(env).stdin(text).run().assertOk()
                .out().strip();
        run(repo, env, "git", "update-index", "--add", "--cacheinfo", "100644," + blob + ",model.safetensors")
                .assertOk();
        run(repo, env, "git", "commit", "-q", "-m", "not a manifest").assertOk();

        Files.delete(repo.resolve("early.safetensors"));
        run(repo, env, "git", "checkout", "--", "early.safetensors").assertOk();
        assertArrayEquals(base, Files.readAllBytes(repo.resolve("early.safetensors")), "byte for byte as committed");

        Path model = repo.resolve("model.safetensors");
        Cmd.Result checkout = run(repo, env, "git", "checkout", "--", "model.safetensors").assertFailed();
        assertTrue(checkout.err().contains("theta: smudge model.safetensors: model.safetensors: not a theta manifest ("
                + reason + "); it was committed without theta's clean filter"), checkout.err());
        assertTrue(Files.notExists(model), "git wrote nothing in the checkpoint's place");
        Files.write(model, text);
        Cmd.Result skipped = Cmd.of("git", "checkout", "--", "model.safetensors").in(repo).env(env)
                .env("THETA_SKIP_SMUDGE", "1").run().assertFailed();
        assertTrue(skipped.err().contains(reason), skipped.err());
        assertTrue(Files.notExists(model), "skipping the smudge writes manifests, not whatever was committed");

        run(repo, env, Fixtures.binTheta().toString(), "install").assertOk();
        Path clone = dir.resolve("clone");
        Cmd.Result cloned = Cmd.of("git", "clone", "-q", repo.toString(), clone.toString()).env(env).run()
                .assertFailed();
        assertTrue(cloned.err().contains("theta: smudge model.safetensors: model.safetensors: not a theta manifest ("
                + reason + ")"), cloned.err());
        assertTrue(Files.notExists(clone.resolve("model.safetensors")), "the clone has no such checkpoint either");
    }

    private static Cmd.Result run(Path dir, Map<String, String> env, String... args) {
        return Cmd.of(args).in(dir).env(env).run();
    }
}
