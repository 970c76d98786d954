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

    private final Remote remote;
    private final GitEnvironment git;

    SshTransport(Remote remote, GitEnvironment git) {
        this.remote = remote;
        this.git = git;
    }

    List<String> command() throws IOException {
        List<String> args = new ArrayList<>();
        if (remote.port() >= 0) {
            args.add("-p");
            args.add(String.valueOf(remote.port()));
        }
        args.add(remote.user() == null ? remote.host() : remote.user() + "@" + remote.host());
        args.add("theta-transfer '/" + remote.path().replace("'", "'\\''") + "'");
        String ssh = git.sshCommand();
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
        CountingOutputStream request = new CountingOutputStream(process.getOutputStream());
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
                    String message;
                    synchronized (stderr) {
                        message = stderr.toString(StandardCharsets.UTF_8).strip();
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
