package io.thetahost.server.state;

import io.thetahost.objectdb.TensorStore;
import io.thetahost.server.registry.DataDirectory;
import io.thetahost.server.registry.HostedRepositories;
import io.thetahost.server.registry.UserAccounts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the daemon and the admin commands work on: {@link EmbeddedState}, everything under one data directory (the
 * default), or ClusterState, the state several fronts share in PostgreSQL and an object store
 * (docs/CLUSTER.md), with the data directory holding only caches and logs.
 */
public interface HostState extends AutoCloseable {

    /** The local directory: logs, caches, the admin socket, and (embedded) everything else. */
    DataDirectory data();

    UserAccounts users();

    HostedRepositories repositories();

    /**
     * Opens the tensor store; the caller closes it. The embedded store admits one process at a time (a running
     * daemon holds it); the shared one admits every front.
     */
    TensorStore openTensors() throws IOException;

    /** Whether other processes use the tensor store at the same time, so maintenance runs here, not in a daemon. */
    boolean isShared();

    /** The SSH host key file to serve with; for several fronts, the one key they all present. */
    Path sshHostKey() throws IOException;

    /** This process's exchanges with the shared database so far; empty in the embedded mode. */
    Optional<Long> databaseRoundTrips();

    @Override
    void close();
}
