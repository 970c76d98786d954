package io.thetahost.conformance.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The real daemon, started with {@code bin/thetahost serve} as a child process on free ports. */
public final class ThetahostServer implements AutoCloseable {
    private final Path data;
    private final Process process;
    private final Path stderrFile;
    private final int sshPort;
    private final int httpPort;

    private ThetahostServer(Path data, Process process, Path stderrFile, int sshPort, int httpPort) {
        this.data = data;
        this.process = process;
        this.stderrFile = stderrFile;
        this.sshPort = sshPort;
        this.httpPort = httpPort;
    }

    /** The checkout's root, where bin/thetahost lives. */
    public static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isExecutable(p.resolve("bin/thetahost"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("bin/thetahost not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    public static Path binThetahost() {
        return projectRoot().resolve("bin/thetahost");
    }

    public static ThetahostServer start(Path data, String... extraArgs) {
        return start(data, Map.of(), extraArgs);
    }

    /** Starts the daemon and waits for its two "listening on" lines. */
    public static ThetahostServer start(Path data, Map<String, String> env, String... extraArgs) {
        List<String> cmd = new ArrayList<>(List.of(binThetahost().toString(), "serve", "--data", data.toString(),
                "--ssh-port", "0", "--http-port", "0"));
        cmd.addAll(List.of(extraArgs));
        try {
            Files.createDirectories(data);
            Path stderr = Files.createTempFile(data.getParent(), "serve-", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(stderr.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            CompletableFuture<Integer> ssh = new CompletableFuture<>();
            CompletableFuture<Integer> http = new CompletableFuture<>();
            Thread reader = new Thread(() -> readListeners(p, ssh, http), "serve-stdout");
            reader.setDaemon(true);
            reader.start();
            try {
                int sshPort = ssh.get(180, TimeUnit.SECONDS);
                int httpPort = http.get(30, TimeUnit.SECONDS);
                return new ThetahostServer(data, p, stderr, sshPort, httpPort);
            } catch (Exception e) {
                p.destroyForcibly();
                throw new AssertionError("the daemon did not start: " + e + "\n" + Files.readString(stderr), e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void readListeners(Process p, CompletableFuture<Integer> ssh, CompletableFuture<Integer> http) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("ssh listening on ")) {
                    ssh.complete(port(line));
                } else if (line.startsWith("http listening on ")) {
                    http.complete(port(line));
                }
            }
        } catch (IOException e) {
            // The daemon went away; the futures below say so.
        }
        IllegalStateException gone = new IllegalStateException("the daemon's stdout closed");
        ssh.completeExceptionally(gone);
        http.completeExceptionally(gone);
    }

    private static int port(String line) {
        return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).strip());
    }

    public int sshPort() {
        return sshPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public Path data() {
        return data;
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** The bare repository behind OWNER/NAME, to check what really reached the server. */
    public Path gitDir(String ownerSlashName) {
        return data.resolve("repos").resolve(ownerSlashName + ".git");
    }

    /** Runs an admin command against this daemon's data directory, the way an administrator would. */
    public Cmd.Result admin(String... args) {
        return admin(data, args);
    }

    public static Cmd.Result admin(Path data, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binThetahost().toString());
        cmd.addAll(List.of(args));
        cmd.add("--data");
        cmd.add(data.toString());
        return Cmd.of(cmd).timeout(Duration.ofMinutes(3)).run();
    }

    public List<String> requestLog() {
        try {
            Path log = data.resolve("logs/requests.log");
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String stderr() {
        try {
            return Files.readString(stderrFile);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Sends SIGTERM, as a service manager would. */
    public void terminate() {
        process.destroy();
    }

    /** @return the exit status, or -1 if it did not exit in time */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
