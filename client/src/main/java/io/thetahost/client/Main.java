package io.thetahost.client;

import io.thetahost.client.add.AddCommand;
import io.thetahost.client.checkout.CheckoutCommand;
import io.thetahost.client.delta.DeltaCommand;
import io.thetahost.client.diff.DiffDriverCommand;
import io.thetahost.client.diff.TextconvCommand;
import io.thetahost.client.filter.FilterProcess;
import io.thetahost.client.install.InstallCommand;
import io.thetahost.client.install.TrackCommand;
import io.thetahost.client.merge.MergeDriverCommand;
import io.thetahost.client.push.PrePushCommand;
import io.thetahost.client.tensors.TensorsCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code theta}: the git extension for model checkpoints. */
@Command(name = "theta", mixinStandardHelpOptions = true, version = "theta 0.1.0",
        description = "Version model checkpoints with git: patches, not whole files.",
        subcommands = {InstallCommand.class, TrackCommand.class, AddCommand.class, CheckoutCommand.class, DeltaCommand.class, TensorsCommand.class,
                FilterProcess.class, PrePushCommand.class, MergeDriverCommand.class, DiffDriverCommand.class,
                TextconvCommand.class})
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
