package io.thetahost.server.cli;

import io.thetahost.server.admin.AdminClient;
import io.thetahost.server.registry.AdminException;
import java.io.IOException;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code thetahost stats}: a running daemon's figures (heap, database round trips), for benchmarks and operators. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Print the figures of the daemon serving DIR: heap in use and, with --database, its database"
                + " round trips so far.")
public final class StatsCommand implements Callable<Integer> {
    @Mixin
    HostOptions data;

    @Override
    public Integer call() throws IOException, AdminException {
        OptionalInt status = AdminClient.run(data.dataDirectory().adminSocket(), "stats", System.out);
        if (status.isEmpty()) {
            throw new AdminException("no daemon is serving " + data.dataDirectory().root()
                    + "; start one with: thetahost serve --data " + data.dataDirectory().root());
        }
        return status.getAsInt();
    }
}
