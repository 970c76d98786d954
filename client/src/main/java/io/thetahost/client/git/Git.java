package io.thetahost.client.git;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the system's {@code git} in a directory, the one way theta asks git anything: configuration, remotes, objects,
 * credentials. Each call is one short git process whose output is small (no checkpoint bytes pass through here).
 *
 * @param dir where git runs; null for the current directory
 * @param env git's environment (theta runs inside git commands, whose GIT_DIR and friends it passes on)
 */
public record Git(Path dir, Map<String, String> env) {

    public static Git here() {
        return new Git(null, System.getenv());
    }

    public static Git in(Path dir) {
        return new Git(dir, System.getenv());
    }

    /** What a git command printed and how it exited. */
    public record Result(int exit, byte[] bytes, String err) {
        public boolean ok() {
            return exit == 0;
        }

        public String out() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Runs git with its stderr captured; {@code input} goes to its stdin. */
    public Result run(List<String> args, String input) throws IOException {
        return run(args, input.getBytes(StandardCharsets.UTF_8), false);
    }

    public Result run(List<String> args, String input, boolean interactive) throws IOException {
        return run(args, input.getBytes(StandardCharsets.UTF_8), interactive);
    }

    /**
     * Runs git; with {@code interactive}, its stderr (and so its prompts and errors) goes to ours, for commands that
     * may ask the person something, like {@code git credential fill}.
     */
    public Result run(List<String> args, byte[] input, boolean interactive) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().clear();
        pb.environment().putAll(env);
        if (interactive) {
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        Process p = pb.start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errors = null;
        if (!interactive) {
            errors = new Thread(() -> {
                try (InputStream e = p.getErrorStream()) {
                    e.transferTo(err);
                } catch (IOException ignored) {
                    // the process is gone; its exit status says what happened
                }
            }, "git-stderr");
            errors.start();
        }
        // Input is written beside the reading of output: git may answer before it has read everything (cat-file).
        Thread feeder = new Thread(() -> {
            try (OutputStream in = p.getOutputStream()) {
                in.write(input);
            } catch (IOException e) {
                // git did not want its input (it failed early); its exit status and stderr say why
            }
        }, "git-stdin");
        feeder.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream stdout = p.getInputStream()) {
            stdout.transferTo(out);
        }
        try {
            int exit = p.waitFor();
            feeder.join();
            if (errors != null) {
                errors.join();
            }
            return new Result(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running git " + args.get(0), e);
        }
    }

    /** The output of a git command that must succeed. */
    public String output(String... args) throws IOException {
        Result r = run(List.of(args), "");
        if (!r.ok()) {
            throw new IOException("git " + String.join(" ", args) + " failed: " + r.err().strip());
        }
        return r.out();
    }

    /** A configuration value, if set. */
    public Optional<String> config(String key) throws IOException {
        Result r = run(List.of("config", "--get", key), "");
        return r.ok() && !r.out().isBlank() ? Optional.of(r.out().strip()) : Optional.empty();
    }
}
