package io.thetahost.server.cli;

import io.thetahost.objectdb.TensorStore;
import io.thetahost.server.admin.AdminClient;
import io.thetahost.server.maintenance.GcArguments;
import io.thetahost.server.maintenance.StoreMaintenance;
import io.thetahost.server.state.HostState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code thetahost fsck} and {@code gc}: a running daemon owns the tensor store, so they ask it (through
 * DATA/admin.sock) to run the task; with no daemon, or when fronts share the store, they open it themselves. The
 * report is the same.
 */
public final class StoreCommand {
    private StoreCommand() {
    }

    interface Task {
        int run(StoreMaintenance maintenance, PrintWriter out) throws IOException;
    }

    /** Embedded, a running daemon owns the store and runs the task; shared, every front and command may. */
    static int run(HostOptions data, String request, Task local) throws IOException {
        try (HostState state = data.open()) {
            if (!state.isShared()) {
                OptionalInt remote = AdminClient.run(state.data().adminSocket(), request, System.out);
                if (remote.isPresent()) {
                    return remote.getAsInt();
                }
            }
            try (TensorStore store = state.openTensors()) {
                PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
                int status = local.run(new StoreMaintenance(store, state.repositories()), out);
                out.flush();
                return status;
            }
        }
    }

    @Command(name = "fsck", mixinStandardHelpOptions = true,
            description = "Decode every stored tensor, verify every id and delta chain, and report what is wrong.")
    public static final class Fsck implements Callable<Integer> {
        @Mixin
        HostOptions data;

        @Override
        public Integer call() throws IOException {
            return run(data, "fsck", StoreMaintenance::fsck);
        }
    }

    @Command(name = "gc", mixinStandardHelpOptions = true,
            description = "Remove the tensors no manifest in any repository's history references, except recent "
                    + "uploads, and report what was freed; with --repack, then store tensors kept dense as patches "
                    + "against their neighbours in history where that is smaller.")
    public static final class Gc implements Callable<Integer> {
        @Mixin
        HostOptions data;

        @Option(names = "--grace", paramLabel = "SECONDS",
                description = "Keep unreferenced uploads this recent (a push follows its upload). Default: one day.")
        Long graceSeconds;

        @Option(names = "--repack", description = "Also re-encode tensors stored dense against their neighbours in "
                + "each repository's history (git's repack -f), where that saves at least 10% and 4 KiB.")
        boolean repack;

        @Override
        public Integer call() throws IOException {
            if (graceSeconds != null && graceSeconds < 0) {
                throw new IllegalArgumentException("--grace must be 0 or more seconds");
            }
            GcArguments arguments = new GcArguments(graceSeconds == null ? GcArguments.DEFAULT_GRACE
                    : java.time.Duration.ofSeconds(graceSeconds), repack);
            return run(data, arguments.toRequest(), (maintenance, out) -> maintenance.gc(arguments, out));
        }
    }
}
