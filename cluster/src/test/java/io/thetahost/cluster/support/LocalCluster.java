package io.thetahost.cluster.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.cluster.database.ClusterDatabase;
import io.thetahost.cluster.database.DatabaseUrl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PostgreSQL and s3proxy started by bench/cluster.sh for one test class, as a developer starts them. */
public final class LocalCluster implements AutoCloseable {
    static final Path CLUSTER_SH = Path.of("").toAbsolutePath().getParent().resolve("bench/cluster.sh");
    private final Path dir;
    private final String env;

    private LocalCluster(Path dir, String env) {
        this.dir = dir;
        this.env = env;
    }

    public static LocalCluster up() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("thetahost-cluster-");
        return new LocalCluster(dir, run("up", dir));
    }

    private static String run(String action, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(CLUSTER_SH.toString(), action, dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "bench/cluster.sh " + action + ": " + out);
        return out;
    }

    /** A value of the lines cluster.sh prints: an option of THETAHOST_CLUSTER_OPTIONS or an exported variable. */
    public String value(String name) {
        Matcher m = Pattern.compile((name.startsWith("--") ? name + " " : "export " + name + "=") + "([^\\s']+)")
                .matcher(env);
        assertTrue(m.find(), name + " in " + env);
        return m.group(1);
    }

    public ClusterDatabase database() throws java.sql.SQLException {
        return ClusterDatabase.open(DatabaseUrl.parse(value("--database"), Optional.empty()));
    }

    /** Stops both and removes their data. */
    @Override
    public void close() throws IOException, InterruptedException {
        run("down", dir);
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
