package io.thetahost.server;

import io.thetahost.server.cli.RepoCommand;
import io.thetahost.server.cli.ServeCommand;
import io.thetahost.server.cli.StatsCommand;
import io.thetahost.server.cli.StoreCommand;
import io.thetahost.server.cli.TokenCommand;
import io.thetahost.server.cli.UserCommand;
import io.thetahost.server.registry.AdminException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code thetahost}: the daemon ({@code serve}) and the admin commands, which work with or without it running. */
@Command(name = "thetahost", mixinStandardHelpOptions = true, version = "thetahost 0.1.0",
        description = "A git host for machine-learning model checkpoints.",
        subcommands = {ServeCommand.class, UserCommand.class, TokenCommand.class, RepoCommand.class,
            StoreCommand.Fsck.class, StoreCommand.Gc.class, StatsCommand.class})
public final class Main implements Runnable {
    /** Exit status for a request that was understood but could not be done. */
    public static final int FAILED = 1;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof AdminException || e instanceof IllegalArgumentException || e instanceof IOException
                    || e instanceof UncheckedIOException) {
                commandLine.getErr().println("thetahost: " + e.getMessage());
                return FAILED;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
