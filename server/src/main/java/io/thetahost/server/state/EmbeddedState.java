package io.thetahost.server.state;

import io.thetahost.objectdb.RocksTensorStore;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorStore;
import io.thetahost.server.registry.BareRepositories;
import io.thetahost.server.registry.DataDirectory;
import io.thetahost.server.registry.HostedRepositories;
import io.thetahost.server.registry.UserAccounts;
import io.thetahost.server.registry.UserRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** The default: bare repositories, users and the RocksDB tensor store under one data directory. */
public final class EmbeddedState implements HostState {
    private final DataDirectory data;
    private final UserRegistry users;
    private final HostedRepositories repositories;

    public EmbeddedState(DataDirectory data) {
        this.data = data;
        this.users = new UserRegistry(data);
        this.repositories = new HostedRepositories(new BareRepositories(data), users);
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
        return RocksTensorStore.open(data.tensors(), StoreOptions.defaults());
    }

    @Override
    public boolean isShared() {
        return false;
    }

    @Override
    public Path sshHostKey() {
        return data.sshHostKey();
    }

    @Override
    public Optional<Long> databaseRoundTrips() {
        return Optional.empty();
    }

    @Override
    public void close() {
    }
}
