package io.thetahost.client;

import io.thetahost.client.delta.DeltaCommand;
import io.thetahost.client.tensors.TensorsCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code theta}: the git extension for model checkpoints. */
@Command(name = "theta", mixinStandardHelpOptions = true, version = "theta 0.1.0",
        description = "Version model checkpoints with git: patches, not whole files.",
        subcommands = {DeltaCommand.class, TensorsCommand.class})
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
            if (e instanceof IllegalArgumentException || e instanceof IOException
                    || e instanceof UncheckedIOException) {
                commandLine.getErr().println("theta: " + e.getMessage());
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
