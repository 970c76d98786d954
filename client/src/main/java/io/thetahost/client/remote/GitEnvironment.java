package io.thetahost.client.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What theta asks git, so it behaves as git does: which ssh to run ({@code GIT_SSH_COMMAND}, {@code GIT_SSH},
 * {@code core.sshCommand}) and which credentials to send over HTTP ({@code git credential fill}, then approve or
 * reject, so git's credential helpers and prompts work unchanged).
 *
 * @param workTree where git runs, for repository-local configuration; null for the current directory
 */
public record GitEnvironment(Path workTree, Map<String, String> env) {

    public static GitEnvironment current() {
        return new GitEnvironment(null, System.getenv());
    }

    public static GitEnvironment in(Path workTree) {
        return new GitEnvironment(workTree, System.getenv());
    }

    /** The ssh command line git would use, as a shell command; null means plain {@code ssh}. */
    String sshCommand() throws IOException {
        String command = env.get("GIT_SSH_COMMAND");
        if (command != null && !command.isBlank()) {
            return command;
        }
        String program = env.get("GIT_SSH");
        if (program != null && !program.isBlank()) {
            return "'" + program.replace("'", "'\\''") + "'";
        }
        return config("core.sshCommand").orElse(null);
    }

    Optional<String> config(String key) throws IOException {
        Result r = git(List.of("config", "--get", key), "");
        return r.exit == 0 && !r.out.isBlank() ? Optional.of(r.out.strip()) : Optional.empty();
    }

    /** A user name and password (an access token) from git's credential helpers or prompt; empty if none. */
    Optional<Credential> fill(String protocol, String host, String path) throws IOException {
        Result r = git(List.of("credential", "fill"), description(protocol, host, path, null));
        if (r.exit != 0) {
            return Optional.empty();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : r.out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String user = fields.get("username");
        String password = fields.get("password");
        return user == null || password == null ? Optional.empty()
                : Optional.of(new Credential(protocol, host, path, user, password));
    }

    void approve(Credential c) throws IOException {
        git(List.of("credential", "approve"), description(c.protocol(), c.host(), c.path(), c));
    }

    void reject(Credential c) throws IOException {
        git(List.of("credential", "reject"), description(c.protocol(), c.host(), c.path(), c));
    }

    /** A user name and password for one URL. */
    record Credential(String protocol, String host, String path, String user, String password) {
    }

    private static String description(String protocol, String host, String path, Credential c) {
        StringBuilder b = new StringBuilder().append("protocol=").append(protocol).append('\n')
                .append("host=").append(host).append('\n').append("path=").append(path).append('\n');
        if (c != null) {
            b.append("username=").append(c.user()).append('\n').append("password=").append(c.password()).append('\n');
        }
        return b.append('\n').toString();
    }

    private record Result(int exit, String out) {
    }

    private Result git(List<String> args, String input) throws IOException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add("git");
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (workTree != null) {
            pb.directory(workTree.toFile());
        }
        pb.environment().clear();
        pb.environment().putAll(env);
        // git's prompts go to the terminal itself; its errors should reach the person too.
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream stdout = p.getInputStream()) {
            stdout.transferTo(out);
        }
        try {
            return new Result(p.waitFor(), out.toString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running git " + args.get(0), e);
        }
    }
}
