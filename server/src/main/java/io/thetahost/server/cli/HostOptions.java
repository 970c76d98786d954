package io.thetahost.server.cli;

import io.thetahost.server.registry.AdminException;
import io.thetahost.server.registry.DataDirectory;
import io.thetahost.server.state.ClusterSettings;
import io.thetahost.server.state.ClusterState;
import io.thetahost.server.state.EmbeddedState;
import io.thetahost.server.state.HostState;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every command takes: {@code --data DIR}, and, for several fronts sharing one state, {@code --database}
 * and {@code --object-store} (docs/CLUSTER.md).
 */
public final class HostOptions {
    @Option(names = "--data", paramLabel = "DIR", defaultValue = "data",
            description = "The data directory (repositories, users, host key, logs; with --database only caches and"
                    + " logs). Default: ${DEFAULT-VALUE}")
    Path data;

    @Option(names = "--database", paramLabel = "URL",
            description = "Share state with other fronts: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB (or the"
                    + " password in PGPASSWORD). Needs --object-store.")
    String database;

    @Option(names = "--object-store", paramLabel = "s3://BUCKET",
            description = "Where fronts keep git packs and tensor encodings (credentials from AWS_ACCESS_KEY_ID and"
                    + " AWS_SECRET_ACCESS_KEY). Needs --database.")
    String objectStore;

    @Option(names = "--s3-endpoint", paramLabel = "URL",
            description = "An S3-compatible server (MinIO, Ceph RGW, s3proxy): http[s]://HOST[:PORT]; none for AWS.")
    String s3Endpoint;

    @Option(names = "--s3-region", paramLabel = "REGION", description = "The bucket's region. Default: us-east-1")
    String s3Region;

    @Option(names = "--cache-mib", paramLabel = "N", defaultValue = "512",
            description = "With --database: local caches of packs and tensor encodings, in MiB. Default:"
                    + " ${DEFAULT-VALUE}")
    long cacheMib;

    /** The local data directory alone. */
    public DataDirectory dataDirectory() throws IOException {
        return DataDirectory.open(data);
    }

    /** Opens the state these options name; the caller closes it. */
    public HostState open() throws IOException {
        if (database == null && objectStore == null) {
            return new EmbeddedState(DataDirectory.open(data));
        }
        if (database == null || objectStore == null) {
            throw new IllegalArgumentException("--database and --object-store go together: fronts keep refs, users"
                    + " and access in the database and packs and tensors in the object store");
        }
        if (cacheMib < 8) {
            throw new IllegalArgumentException("--cache-mib must be at least 8: half of it caches pack blocks, which"
                    + " needs 4 MiB");
        }
        // Options checked before the data directory is made: a refused command leaves nothing behind.
        ClusterSettings settings = ClusterSettings.parse(database, objectStore, s3Endpoint, s3Region, cacheMib << 20);
        return ClusterState.open(DataDirectory.open(data), settings);
    }

    /** Something an admin command does with the state. */
    public interface Action<T> {
        T apply(HostState state) throws IOException, AdminException;
    }

    /** A change an admin command makes. */
    public interface Change {
        void apply(HostState state) throws IOException, AdminException;
    }

    /** Opens the state, does {@code action}, closes it. */
    public <T> T with(Action<T> action) throws IOException, AdminException {
        try (HostState state = open()) {
            return action.apply(state);
        }
    }

    /** Opens the state, makes {@code change}, closes it. */
    public void change(Change change) throws IOException, AdminException {
        try (HostState state = open()) {
            change.apply(state);
        }
    }
}
