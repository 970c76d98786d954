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
 * theta keeps RocksDB's and zstd-jni's native libraries in the user's cache, copied once, and writes none into the
 * temporary folder: their own loaders wrote a new copy there at every start (15 MB and 1 MB), and a process killed
 * before its exit hook left it there for good.
 */
@Timeout(300)
class NativeLibraryTest {
    private static final List<String> LIBRARIES = List.of("librocksdbjni", "libzstd-jni");
    @TempDir
    Path base;

    @Test
    void rocksDbAndZstdLoadFromTheCacheAndLeaveNothingInTheTemporaryFolder() throws IOException {
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
        assertEquals(LIBRARIES.size(), copies.size(), "one copy of each library in the cache: " + copies);
        List<Long> written = new ArrayList<>();
        for (Path copy : copies) {
            written.add(Files.getLastModifiedTime(copy).toMillis());
        }
        Files.delete(repo.resolve("model.safetensors"));
        run(env, repo, "git", "checkout", "--", "model.safetensors");
        assertEquals(-1L, Files.mismatch(Fixtures.checkpoint("base.safetensors"), repo.resolve("model.safetensors")));
        assertEquals(copies, libraries(cache), "the second process used the same copy");
        for (int i = 0; i < copies.size(); i++) {
            assertEquals(written.get(i), Files.getLastModifiedTime(copies.get(i)).toMillis(),
                    "and did not write it again: " + copies.get(i));
        }
        try (Stream<Path> left = Files.list(tmp)) {
            List<Path> extracted = left.filter(NativeLibraryTest::isLibrary).toList();
            assertTrue(extracted.isEmpty(), "no copy of a library in the temporary folder: " + extracted);
        }
        // The loaders delete their temporary copies at exit, so the folder alone cannot tell: the processes' own
        // logs say which file each loaded.
        for (String library : LIBRARIES) {
            List<String> loaded = new ArrayList<>();
            try (Stream<Path> files = Files.list(logs)) {
                for (Path log : files.toList()) {
                    Files.readAllLines(log).stream().filter(l -> l.contains(library)).forEach(loaded::add);
                }
            }
            assertTrue(loaded.size() >= 2, "both filter processes loaded " + library + ": " + loaded);
            for (String line : loaded) {
                assertTrue(line.contains(cache.toString()), "loaded from the cache, not extracted elsewhere: " + line);
            }
        }
    }

    private static boolean isLibrary(Path p) {
        return LIBRARIES.stream().anyMatch(p.getFileName().toString()::startsWith);
    }

    private static List<Path> libraries(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(NativeLibraryTest::isLibrary).sorted().toList();
        }
    }

    private static Cmd.Result run(Map<String, String> env, Path dir, String... args) {
        Cmd.Result r = Cmd.of(List.of(args)).in(dir).env(env).timeout(java.time.Duration.ofMinutes(2)).run();
        r.assertOk();
        return r;
    }
}
