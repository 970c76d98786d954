package io.thetahost.server.cli;

import io.thetahost.server.registry.AdminException;
import io.thetahost.server.registry.DataDirectory;
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

    /** The local data directory alone. */
    public DataDirectory dataDirectory() throws IOException {
        return DataDirectory.open(data);
    }

    /** Opens the state these options name; the caller closes it. */
    public HostState open() throws IOException {
        DataDirectory dir = DataDirectory.open(data);
        return new EmbeddedState(dir);
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
