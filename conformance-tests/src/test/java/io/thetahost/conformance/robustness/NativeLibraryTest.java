package io.thetahost.conformance.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * theta keeps RocksDB's native library in the user's cache, copied once, and writes none into the temporary folder:
 * RocksDB's own loader wrote a new 15 MB copy there at every start, and a process killed before its exit hook left it
 * there for good.
 */
@Timeout(300)
class NativeLibraryTest {
    @TempDir
    Path base;

    @Test
    void theStoreLoadsRocksDbFromTheCacheAndLeavesNothingInTheTemporaryFolder() throws IOException {
        Path home = Files.createDirectories(base.resolve("home"));
        Path tmp = Files.createDirectories(base.resolve("tmp"));
        Path logs = Files.createDirectories(base.resolve("logs"));
        Map<String, String> env = new HashMap<>(System.getenv());
        // The JVM logs every native library it loads, with its path, one file per process.
        env.put("THETA_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp + " -Xlog:library=info:file=" + logs + "/library-%p.log");
        env.put("HOME", home.toString());
        env.remove("XDG_CACHE_HOME");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        run(env, base, Fixtures.binTheta().toString(), "install");
        Path repo = Files.createDirectories(base.resolve("repo"));
        run(env, repo, "git", "init", "-q", "-b", "main");
        run(env, repo, Fixtures.binTheta().toString(), "track", "model.safetensors");
        Files.copy(Fixtures.checkpoint("base.safetensors"), repo.resolve("model.safetensors"));
        // Two filter processes, each opening the local store: the first copies the library, the second reuses it.
        run(env, repo, "git", "add", "model.safetensors");
        Path cache = home.resolve(".cache/thetahost/native");
        List<Path> copies = libraries(cache);
        assertEquals(1, copies.size(), "one copy of the library in the cache: " + copies);
        long written = Files.getLastModifiedTime(copies.get(0)).toMillis();
        Files.delete(repo.resolve("model.safetensors"));
        run(env, repo, "git", "checkout", "--", "model.safetensors");
        assertEquals(-1L, Files.mismatch(Fixtures.checkpoint("base.safetensors"), repo.resolve("model.safetensors")));
        assertEquals(copies, libraries(cache), "the second process used the same copy");
        assertEquals(written, Files.getLastModifiedTime(copies.get(0)).toMillis(), "and did not write it again");
        try (Stream<Path> left = Files.list(tmp)) {
            List<Path> rocks = left.filter(p -> p.getFileName().toString().startsWith("librocksdbjni")).toList();
            assertTrue(rocks.isEmpty(), "no copy of the library in the temporary folder: " + rocks);
        }
        // RocksDB's loader deletes its temporary copy at exit, so the folder alone cannot tell: the processes' own
        // logs say which file each loaded.
        List<String> loaded = new ArrayList<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path log : files.toList()) {
                Files.readAllLines(log).stream().filter(l -> l.contains("librocksdbjni")).forEach(loaded::add);
            }
        }
        assertTrue(loaded.size() >= 2, "both filter processes loaded RocksDB's library: " + loaded);
        for (String line : loaded) {
            assertTrue(line.contains(cache.toString()), "loaded from the cache, not extracted elsewhere: " + line);
        }
    }

    private static List<Path> libraries(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("librocksdbjni")).sorted().toList();
        }
    }

    private static Cmd.Result run(Map<String, String> env, Path dir, String... args) {
        Cmd.Result r = Cmd.of(List.of(args)).in(dir).env(env).timeout(java.time.Duration.ofMinutes(2)).run();
        r.assertOk();
        return r;
    }
}
