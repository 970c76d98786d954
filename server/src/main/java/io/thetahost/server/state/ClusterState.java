package io.thetahost.server.state;

import io.thetahost.cluster.database.ClusterDatabase;
import io.thetahost.cluster.git.ClusterRepositories;
import io.thetahost.cluster.objects.ObjectStore;
import io.thetahost.cluster.objects.S3ObjectStore;
import io.thetahost.cluster.registry.ClusterUsers;
import io.thetahost.cluster.tensors.ClusterTensorStore;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorStore;
import io.thetahost.server.registry.DataDirectory;
import io.thetahost.server.registry.HostedRepositories;
import io.thetahost.server.registry.UserAccounts;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The state several fronts share (docs/CLUSTER.md): users, access, refs and tensor metadata in PostgreSQL, packs and
 * tensor encodings in the object store. The data directory keeps only what may be lost: caches (half of
 * {@link ClusterSettings#cacheBytes()} for pack blocks in memory, half for tensor encodings on disk), the spool of
 * packs being received, logs and the admin socket.
 */
public final class ClusterState implements HostState {
    private final DataDirectory data;
    private final ClusterSettings settings;
    private final ClusterDatabase database;
    private final ObjectStore objects;
    private final UserAccounts users;
    private final HostedRepositories repositories;

    private ClusterState(DataDirectory data, ClusterSettings settings, ClusterDatabase database, ObjectStore objects,
            ClusterRepositories git) {
        this.data = data;
        this.settings = settings;
        this.database = database;
        this.objects = objects;
        this.users = new SharedUserAccounts(new ClusterUsers(database));
        this.repositories = new HostedRepositories(new ClusterRepositoryStorage(git), users);
    }

    /**
     * Connects to both services (migrating the schema if needed).
     *
     * @throws IOException naming the service that cannot be reached
     */
    public static ClusterState open(DataDirectory data, ClusterSettings settings) throws IOException {
        ClusterDatabase database;
        try {
            database = ClusterDatabase.open(settings.database());
        } catch (SQLException e) {
            throw new IOException(e.getMessage(), e);
        }
        ObjectStore objects = null;
        try {
            objects = new S3ObjectStore(settings.objectStore());
            ClusterRepositories.configureBlockCache(settings.cacheBytes() / 2);
            ClusterRepositories git = new ClusterRepositories(database, objects, data.root().resolve("cache/spool"));
            return new ClusterState(data, settings, database, objects, git);
        } catch (IOException | RuntimeException e) {
            if (objects != null) {
                objects.close();
            }
            database.close();
            throw e;
        }
    }

    @Override
    public DataDirectory data() {
        return data;
    }

    @Override
    public UserAccounts users() {
        return users;
    }

    @Override
    public HostedRepositories repositories() {
        return repositories;
    }

    @Override
    public TensorStore openTensors() throws IOException {
        return new ClusterTensorStore(database, objects, StoreOptions.defaults(), frontName(),
                data.root().resolve("cache/tensors"), settings.cacheBytes() / 2);
    }

    /** Which front began an upload, for people reading pending_uploads. */
    private static String frontName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown-host";
        }
        return host + ":" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    @Override
    public boolean isShared() {
        return true;
    }

    @Override
    public Path sshHostKey() throws IOException {
        return SharedHostKey.materialize(database, data.sshHostKey());
    }

    @Override
    public Optional<Long> databaseRoundTrips() {
        return Optional.of(database.roundTrips().count());
    }

    @Override
    public void close() {
        try {
            objects.close();
        } finally {
            database.close();
        }
    }
}
