package io.thetahost.client.remote;

import io.thetahost.protocol.io.CountingInputStream;
import io.thetahost.protocol.io.CountingOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The theta transfer protocol over the system's ssh, run the way git runs it ({@code GIT_SSH_COMMAND},
 * {@code GIT_SSH}, {@code core.sshCommand}, else {@code ssh}, so {@code ~/.ssh/config}, agents and known hosts all
 * apply): one {@code theta-transfer '/OWNER/NAME.git'} exec per exchange.
 */
final class SshTransport implements Transport {
    /** The most of ssh's stderr kept for an error message. */
    private static final int STDERR_KEPT = 16 * 1024;
    /**
     * OpenSSH's own keepalive: a server that stops answering (gone without closing the connection) is given up after
     * two unanswered probes five seconds apart; one that does not answer at all, after 15 s (ConnectTimeout bounds
     * the TCP connect and the version exchange). The server's SSH layer answers them even while it works on a long
     * request, so they never cut a slow one. A user's own setting of either, in the command or in ssh_config's
     * host section, comes first: ssh keeps the first value it reads, and these come after the user's command.
     */
    private static final List<String> KEEPALIVE = List.of("-o", "ServerAliveInterval=5", "-o",
            "ServerAliveCountMax=2", "-o", "ConnectTimeout=15");
    /** What OpenSSH prints when the connection breaks, as opposed to a refusal (which also exits 255). */
    private static final java.util.regex.Pattern LOST = java.util.regex.Pattern.compile(
            "Connection (closed|reset|timed out)|Broken pipe|Timeout, server .* not responding|client_loop:"
                    + "|Connection to .* closed by remote host");

    private final Remote remote;
    private final GitEnvironment git;
    /** Whether the ssh command takes OpenSSH's options: decided once, as it asks git's configuration. */
    private Boolean openSsh;

    SshTransport(Remote remote, GitEnvironment git) {
        this.remote = remote;
        this.git = git;
    }

    List<String> command() throws IOException {
        List<String> args = new ArrayList<>();
        String ssh = git.sshCommand();
        if (openSsh == null) {
            openSsh = isOpenSsh(ssh);
        }
        if (openSsh) {
            args.addAll(KEEPALIVE);
        }
        if (remote.port() >= 0) {
            args.add("-p");
            args.add(String.valueOf(remote.port()));
        }
        args.add(remote.user() == null ? remote.host() : remote.user() + "@" + remote.host());
        args.add("theta-transfer '/" + remote.path().replace("'", "'\\''") + "'");
        List<String> cmd = new ArrayList<>();
        if (ssh == null) {
            cmd.add("ssh");
            cmd.addAll(args);
        } else {
            // As git does: the configured command runs through the shell, with the arguments after it.
            cmd.addAll(List.of("sh", "-c", ssh + " \"$@\"", ssh));
            cmd.addAll(args);
        }
        return cmd;
    }

    /**
     * Whether the command takes OpenSSH's options, decided as git decides it: {@code ssh.variant} if set, else the
     * program's name ({@code ssh}, not plink or putty).
     */
    private boolean isOpenSsh(String command) throws IOException {
        java.util.Optional<String> variant = git.config("ssh.variant");
        if (variant.isPresent() && !variant.get().equals("auto")) {
            return variant.get().equals("ssh");
        }
        if (command == null) {
            return true;
        }
        String program = command.strip().split("\\s+")[0].replace("'", "").replace("\"", "");
        String name = program.substring(program.lastIndexOf('/') + 1);
        return name.equals("ssh") || name.equals("ssh.exe");
    }

    @Override
    public Exchange open() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command());
        pb.environment().clear();
        pb.environment().putAll(git.env());
        if (git.workTree() != null) {
            pb.directory(git.workTree().toFile());
        }
        Process process = pb.start();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread errors = new Thread(() -> keepTail(process.getErrorStream(), stderr), "ssh-stderr");
        errors.setDaemon(true);
        errors.start();
        CountingOutputStream request = new CountingOutputStream(TranslatedStreams.output(process.getOutputStream(),
                e -> lost(process, stderr, errors, e)));
        CountingInputStream response = new CountingInputStream(process.getInputStream());
        return new Exchange() {
            @Override
            public OutputStream request() {
                return request;
            }

            @Override
            public InputStream response() {
                return new java.io.FilterInputStream(response) {
                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        if (n < 0) {
                            checkExit();
                        }
                        return n;
                    }

                    @Override
                    public int read() throws IOException {
                        int n = super.read();
                        if (n < 0) {
                            checkExit();
                        }
                        return n;
                    }
                };
            }

            /** At the end of the response: a refusal is ssh's exit status with the server's message on stderr. */
            private void checkExit() throws IOException {
                try {
                    if (!process.waitFor(30, TimeUnit.SECONDS)) {
                        return;
                    }
                    errors.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                if (process.exitValue() != 0) {
                    String message = said(stderr);
                    // ssh exits 255 for its own failures; with nothing said (LogLevel=ERROR hides "Timeout, server
                    // not responding"), that is a connection that broke, since a refusal always says why.
                    if (process.exitValue() == 255 && (message.isEmpty() || LOST.matcher(message).find())) {
                        throw new ConnectionLostException(remote, message.isEmpty() ? "ssh exited with status 255"
                                : message, null);
                    }
                    throw new RemoteRefusedException(remote + ": " + (message.isEmpty()
                            ? "ssh exited with status " + process.exitValue() : message));
                }
            }

            @Override
            public long bytesSent() {
                return request.count();
            }

            @Override
            public long bytesReceived() {
                return response.count();
            }

            @Override
            public void close() {
                process.destroy();
            }
        };
    }

    /** A write to ssh failed: ssh has exited or is exiting; what it printed says why. */
    private ConnectionLostException lost(Process process, ByteArrayOutputStream stderr, Thread errors,
            IOException writeFailure) {
        try {
            if (process.waitFor(5, TimeUnit.SECONDS)) {
                errors.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String message = said(stderr);
        return new ConnectionLostException(remote, message.isEmpty()
                ? ConnectionLostException.describe(writeFailure) : message, writeFailure);
    }

    private static String said(ByteArrayOutputStream stderr) {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8).strip();
        }
    }

    private static void keepTail(InputStream in, ByteArrayOutputStream kept) {
        byte[] buf = new byte[4096];
        try (in) {
            for (int n; (n = in.read(buf)) > 0; ) {
                synchronized (kept) {
                    if (kept.size() < STDERR_KEPT) {
                        kept.write(buf, 0, Math.min(n, STDERR_KEPT - kept.size()));
                    }
                }
            }
        } catch (IOException e) {
            // ssh went away; what it said so far is kept.
        }
    }
}
