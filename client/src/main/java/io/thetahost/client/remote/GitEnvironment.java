package io.thetahost.client.remote;

import io.thetahost.client.git.Git;
import java.io.IOException;
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
        Git.Result r = git(List.of("config", "--get", key), "");
        return r.ok() && !r.out().isBlank() ? Optional.of(r.out().strip()) : Optional.empty();
    }

    /**
     * A user name and password (an access token) from git's credential helpers or prompt; empty if none. What the
     * remote's URL carries ({@code user@} or {@code user:token@}) is given to git first, as git does for that URL: a
     * helper then looks up that user, and a full pair comes back as it is.
     */
    Optional<Credential> fill(String protocol, String host, String path, String urlUser, String urlPassword)
            throws IOException {
        Git.Result r = git(List.of("credential", "fill"), description(protocol, host, path, urlUser, urlPassword));
        if (!r.ok()) {
            return Optional.empty();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : r.out().split("\n")) {
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
        git(List.of("credential", "approve"), description(c.protocol(), c.host(), c.path(), c.user(), c.password()));
    }

    void reject(Credential c) throws IOException {
        git(List.of("credential", "reject"), description(c.protocol(), c.host(), c.path(), c.user(), c.password()));
    }

    /** A user name and password for one URL. */
    record Credential(String protocol, String host, String path, String user, String password) {
    }

    /** git's credential description; the user and password only where known (either may be null). */
    private static String description(String protocol, String host, String path, String user, String password) {
        StringBuilder b = new StringBuilder().append("protocol=").append(protocol).append('\n')
                .append("host=").append(host).append('\n').append("path=").append(path).append('\n');
        if (user != null) {
            b.append("username=").append(user).append('\n');
        }
        if (user != null && password != null) {
            b.append("password=").append(password).append('\n');
        }
        return b.append('\n').toString();
    }

    private Git.Result git(List<String> args, String input) throws IOException {
        // git's prompts go to the terminal itself; its errors should reach the person too.
        return new Git(workTree, env).run(args, input, true);
    }
}
