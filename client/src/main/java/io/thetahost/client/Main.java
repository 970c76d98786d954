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
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code theta}: the git extension for model checkpoints. */
@Command(name = "theta", mixinStandardHelpOptions = true, version = "theta 0.1.0",
        description = "Version model checkpoints with git: patches, not whole files.")
public final class Main implements Runnable {
    /** theta's commands, in the order usage lists them. */
    private static final List<Class<?>> COMMANDS = List.of(InstallCommand.class, TrackCommand.class,
            AddCommand.class, CheckoutCommand.class, DeltaCommand.class, TensorsCommand.class, FilterProcess.class,
            PrePushCommand.class, MergeDriverCommand.class, DiffDriverCommand.class, TextconvCommand.class);

    /** Exit status for a request that was understood but could not be done. */
    public static final int FAILED = 1;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        if (args.length == 1 && args[0].equals(FilterProcess.NAME)) {
            return filterProcess();
        }
        CommandLine cli = new CommandLine(new Main());
        // picocli reads a command's options by reflection when it is added, and git starts theta for every filter,
        // hook and driver: only the command named is added (all of them when none is: usage, help, a typo).
        List<Class<?>> named = args.length == 0 ? List.of() : COMMANDS.stream()
                .filter(c -> c.getAnnotation(Command.class).name().equals(args[0])).toList();
        for (Class<?> command : named.isEmpty() ? COMMANDS : named) {
            cli.addSubcommand(command);
        }
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (explains(e)) {
                commandLine.getErr().println("theta: " + e.getMessage());
                return FAILED;
            }
            throw e;
        });
        return cli.execute(args);
    }

    /**
     * git starts the filter for every command that reads or writes a tracked file, a checkout or an add among them:
     * it skips picocli, whose classes (compiled for Java 5, so outside the JVM's class-data sharing) took 0.1 - 0.3 s
     * to load and check at every start, a tenth of checking out a small model. It takes no options.
     */
    private static int filterProcess() {
        try {
            return new FilterProcess().call();
        } catch (Exception e) {
            if (!explains(e)) {
                e.printStackTrace();
            }
            System.err.println("theta: " + e.getMessage());
            return FAILED;
        }
    }

    /** Errors whose message says what went wrong to the person who ran theta; others are bugs, shown in full. */
    private static boolean explains(Exception e) {
        return e instanceof IllegalArgumentException || e instanceof IOException || e instanceof UncheckedIOException;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
