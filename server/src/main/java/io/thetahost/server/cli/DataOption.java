package io.thetahost.server.cli;

import io.thetahost.server.registry.DataDirectory;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --data DIR} option every command takes. */
public final class DataOption {
    @Option(names = "--data", paramLabel = "DIR", defaultValue = "data",
            description = "The data directory (repositories, users, host key, logs). Default: ${DEFAULT-VALUE}")
    Path data;

    public DataDirectory open() throws IOException {
        return DataDirectory.open(data);
    }
}
