package io.thetahost.conformance.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import io.thetahost.conformance.support.GeneratedCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * theta's filter, started by git with the launcher's default settings (no THETA_JAVA_OPTS), adds and checks out a
 * checkpoint larger than its memory bound and stays under the bound: its peak resident set, as the kernel counts it
 * (GNU time wraps the filter through git's filter.theta.process), is under 512 MiB.
 */
@Timeout(600)
class FilterMemoryTest {
    private static final long BOUND_KIB = 512 * 1024;
    /** 40 float32 matrices of 2048 x 2048: 640 MiB, more than the bound. */
    private static final int TENSORS = 40;

    @TempDir
    Path base;

    @Test
    void aCheckpointLargerThanTheBoundGoesInAndOutUnderIt() throws IOException {
        Path home = Files.createDirectories(base.resolve("home"));
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("THETA_JAVA_OPTS", "");
        env.put("HOME", home.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        run(env, base, Fixtures.binTheta().toString(), "install");
        Path repo = Files.createDirectories(base.resolve("repo"));
        run(env, repo, "git", "init", "-q", "-b", "main");
        run(env, repo, "git", "config", "user.name", "Alice");
        run(env, repo, "git", "config", "user.email", "alice@example.com");
        run(env, repo, Fixtures.binTheta().toString(), "track", "model.safetensors");
        Path checkpoint = GeneratedCheckpoint.write(repo.resolve("model.safetensors"), TENSORS, 2048, 2048, 7);
        assertTrue(Files.size(checkpoint) > BOUND_KIB * 1024, "the checkpoint is larger than the bound");
        Path original = Files.copy(checkpoint, base.resolve("original.safetensors"));

        Path addRss = base.resolve("add.rss");
        run(env, repo, "git", "-c", measured(addRss), "add", ".gitattributes", "model.safetensors");
        run(env, repo, "git", "commit", "-q", "-m", "a checkpoint larger than the filter's memory bound");
        String staged = run(env, repo, "git", "cat-file", "-p", "HEAD:model.safetensors").out();
        assertTrue(staged.startsWith("{") && staged.length() < 64 * 1024, "git holds a manifest, not the bytes");
        assertUnderBound(addRss, "git add");

        Files.delete(checkpoint);
        Path checkoutRss = base.resolve("checkout.rss");
        run(env, repo, "git", "-c", measured(checkoutRss), "checkout", "--", "model.safetensors");
        assertEquals(-1L, Files.mismatch(original, checkpoint), "the checkout is byte-identical");
        assertUnderBound(checkoutRss, "git checkout");
    }

    /** git's setting that runs theta's filter, as theta install wrote it, under GNU time writing its peak RSS. */
    private static String measured(Path rss) {
        return "filter.theta.process=/usr/bin/time -f %M -o " + rss + " " + Fixtures.binTheta() + " filter-process";
    }

    private static void assertUnderBound(Path rss, String step) throws IOException {
        long kib = Long.parseLong(Files.readString(rss).strip().lines().reduce((a, b) -> b).orElseThrow());
        System.out.printf("FilterMemoryTest: %s of a %d MiB checkpoint: filter peak RSS %d MiB%n", step,
                TENSORS * 16, kib / 1024);
        assertTrue(kib < BOUND_KIB, step + ": the filter's peak RSS " + kib / 1024 + " MiB is over the bound of "
                + BOUND_KIB / 1024 + " MiB");
    }

    private static Cmd.Result run(Map<String, String> env, Path dir, String... args) {
        Cmd.Result r = Cmd.of(List.of(args)).in(dir).env(env).timeout(java.time.Duration.ofMinutes(5)).run();
        r.assertOk();
        return r;
    }
}
