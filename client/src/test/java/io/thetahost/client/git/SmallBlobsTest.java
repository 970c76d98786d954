package io.thetahost.client.git;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Of the objects named, only blobs within the bounds are read: a path that held a large file in one commit (a
 * checkpoint committed before it was tracked) and a manifest in the next gives the manifest alone.
 */
class SmallBlobsTest {
    @TempDir
    Path dir;

    @Test
    void onlyBlobsWithinTheBoundsAreRead() throws Exception {
        Git git = new Git(dir, Map.of("PATH", System.getenv("PATH"), "HOME", dir.toString(),
                "GIT_CONFIG_NOSYSTEM", "1"));
        git.output("init", "-q");
        git.output("config", "user.name", "t");
        git.output("config", "user.email", "t@example.com");
        byte[] large = new byte[3 << 20];
        new Random(1).nextBytes(large);
        Files.write(dir.resolve("model.safetensors"), large);
        git.output("add", "model.safetensors");
        git.output("commit", "-qm", "raw");
        byte[] small = "{\"a manifest\": 1}\n".getBytes();
        Files.write(dir.resolve("model.safetensors"), small);
        git.output("commit", "-qam", "manifest");
        Files.write(dir.resolve("other"), "x".repeat(100).getBytes());
        git.output("add", "other");
        git.output("commit", "-qm", "other");

        List<String> names = List.of("HEAD~2:model.safetensors", "HEAD~1:model.safetensors", "HEAD:other",
                "HEAD:missing", "HEAD");
        Map<String, byte[]> read = SmallBlobs.read(git, names, 1 << 20, Long.MAX_VALUE);
        assertEquals(List.of("HEAD~1:model.safetensors", "HEAD:other"), List.copyOf(read.keySet()),
                "the large blob, the missing path and the commit are left out");
        assertArrayEquals(small, read.get("HEAD~1:model.safetensors"));
        assertEquals(100, read.get("HEAD:other").length);

        Map<String, byte[]> bounded = SmallBlobs.read(git, names, 1 << 20, 50);
        assertEquals(List.of("HEAD~1:model.safetensors"), List.copyOf(bounded.keySet()),
                "reading stops before the total passes its bound");
    }
}
