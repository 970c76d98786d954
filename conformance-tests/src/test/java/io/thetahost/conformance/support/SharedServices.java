package io.thetahost.conformance.support;

import io.thetahost.cluster.database.ClusterDatabase;
import io.thetahost.cluster.database.DatabaseUrl;
import io.thetahost.cluster.git.ClusterRepositories;
import io.thetahost.cluster.objects.ObjectStoreLocation;
import io.thetahost.cluster.objects.S3ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL and s3proxy for one two-front deployment, started by {@code bench/cluster.sh up DIR} as the README tells
 * an operator to, and stopped by {@code down}. What it prints to eval becomes the fronts' options and environment.
 */
final class SharedServices implements AutoCloseable {
    private static final Pattern EXPORT = Pattern.compile("export (\\w+)='?([^'\\n]*)'?");

    private final Path dir;
    private final Map<String, String> env;
    private final List<String> options;
    private ClusterDatabase database;
    private S3ObjectStore objects;
    private ClusterRepositories repositories;

    private SharedServices(Path dir, Map<String, String> env, List<String> options) {
        this.dir = dir;
        this.env = env;
        this.options = options;
    }

    /** Where each deployment's services keep their data, by the first front's data directory, for restarts. */
    private static final Map<Path, Path> DIRECTORIES = new java.util.concurrent.ConcurrentHashMap<>();

    static {
        // Kept across a deployment's restarts within the run (down keeps the data), removed when the run ends.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> DIRECTORIES.values().forEach(SharedServices::remove)));
    }

    private static void remove(Path dir) {
        try (var paths = java.nio.file.Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // A temporary folder: what is left, the system's cleaning takes.
        }
    }

    /**
     * Starts (or finds running) the services of the deployment whose first front serves from {@code data}. Their
     * folder is made directly under the temporary directory: PostgreSQL runs as the postgres user, who cannot pass
     * through a test's private temporary folders.
     */
    static SharedServices up(Path data) {
        Path dir = DIRECTORIES.computeIfAbsent(data.toAbsolutePath(), d -> {
            try {
                return java.nio.file.Files.createTempDirectory("thetahost-services-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String out = run("up", dir);
        Map<String, String> env = new LinkedHashMap<>();
        List<String> options = new ArrayList<>();
        Matcher m = EXPORT.matcher(out);
        while (m.find()) {
            if (m.group(1).equals("THETAHOST_CLUSTER_OPTIONS")) {
                options.addAll(List.of(m.group(2).trim().split("\\s+")));
            } else {
                env.put(m.group(1), m.group(2));
            }
        }
        if (options.isEmpty() || !env.containsKey("AWS_ACCESS_KEY_ID")) {
            throw new IllegalStateException("bench/cluster.sh up printed no options: " + out);
        }
        return new SharedServices(dir, env, options);
    }

    private static String run(String action, Path dir) {
        // (bench/cluster.sh up is idempotent, and down keeps the data for an up again.)
        try {
            Process p = new ProcessBuilder(ThetahostServer.projectRoot().resolve("bench/cluster.sh").toString(), action,
                    dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("bench/cluster.sh " + action + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Path directory() {
        return dir;
    }

    /** AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, for fronts and admin commands. */
    Map<String, String> env() {
        return env;
    }

    /** --database ... --object-store ... --s3-endpoint ... --s3-region ... */
    List<String> options() {
        return options;
    }

    String option(String name) {
        int i = options.indexOf(name);
        return i < 0 ? null : options.get(i + 1);
    }

    /** The repositories as the fronts see them, opened from this test's process (opened on first use). */
    synchronized ClusterRepositories repositories() throws IOException {
        if (repositories == null) {
            System.setProperty("aws.accessKeyId", env.get("AWS_ACCESS_KEY_ID"));
            System.setProperty("aws.secretAccessKey", env.get("AWS_SECRET_ACCESS_KEY"));
            try {
                database = ClusterDatabase.open(DatabaseUrl.parse(option("--database"), Optional.empty()));
            } catch (SQLException e) {
                throw new IOException(e.getMessage(), e);
            }
            objects = new S3ObjectStore(ObjectStoreLocation.parse(option("--object-store"), option("--s3-endpoint"),
                    option("--s3-region")));
            repositories = new ClusterRepositories(database, objects, dir.resolve("spool"));
        }
        return repositories;
    }

    @Override
    public void close() {
        try {
            if (objects != null) {
                objects.close();
            }
            if (database != null) {
                database.close();
            }
        } finally {
            run("down", dir);
        }
    }
}
