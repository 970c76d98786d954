package io.thetahost.conformance.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.ObjectWalk;
import org.junit.jupiter.api.Assumptions;

/**
 * The real daemon, started with {@code bin/thetahost serve} as a child process on free ports. With the system property
 * {@code thetahost.fronts=2} (the {@code two-fronts} Maven profile), a deployment of two fronts sharing PostgreSQL and
 * s3proxy started by {@code bench/cluster.sh}: URLs alternate between the fronts, so what one test pushes through one
 * is fetched through the other, and admin commands work on the shared state (docs/CLUSTER.md).
 */
public final class ThetahostServer implements AutoCloseable {
    /** How many fronts a deployment has: 1 (embedded) unless the two-fronts profile says 2. */
    public static final int FRONTS = Integer.getInteger("thetahost.fronts", 1);

    private final Path data;
    private final List<Front> fronts;
    private final SharedServices services;
    private final Map<String, String> env;
    private final List<String> extraArgs;
    private final AtomicInteger turn = new AtomicInteger();

    /** One serving process. */
    private record Front(Path data, Process process, Path stderr, int sshPort, int httpPort) {
    }

    private ThetahostServer(Path data, List<Front> fronts, SharedServices services, Map<String, String> env,
            List<String> extraArgs) {
        this.data = data;
        this.fronts = fronts;
        this.services = services;
        this.env = env;
        this.extraArgs = extraArgs;
    }

    /** Skips a test about the data directory's own files, which several fronts do not keep there. */
    public static void assumeEmbedded(String why) {
        Assumptions.assumeFalse(isCluster(), why);
    }

    /** Whether this run serves from several fronts over shared state rather than one data directory. */
    public static boolean isCluster() {
        return FRONTS > 1;
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

    /** Starts the daemon (or the fronts) and waits for the "listening on" lines. */
    public static ThetahostServer start(Path data, Map<String, String> env, String... extraArgs) {
        return start(data, FRONTS, env, extraArgs);
    }

    /** {@code fronts} fronts over PostgreSQL and s3proxy (started here), whatever the profile says. */
    public static ThetahostServer startFronts(Path data, int fronts) {
        return start(data, fronts, Map.of());
    }

    private static ThetahostServer start(Path data, int frontCount, Map<String, String> env, String... extraArgs) {
        if (frontCount < 2) {
            return new ThetahostServer(data, new ArrayList<>(List.of(startFront(data, env, List.of(extraArgs)))),
                    null, env, List.of(extraArgs));
        }
        SharedServices services = SharedServices.up(data);
        List<Front> fronts = new ArrayList<>();
        try {
            Map<String, String> frontEnv = new HashMap<>(env);
            frontEnv.putAll(services.env());
            for (int i = 0; i < frontCount; i++) {
                List<String> args = new ArrayList<>(services.options());
                args.addAll(List.of(extraArgs));
                fronts.add(startFront(i == 0 ? data : data.resolveSibling(data.getFileName() + "-front" + (i + 1)),
                        frontEnv, args));
            }
            return new ThetahostServer(data, fronts, services, frontEnv, List.of(extraArgs));
        } catch (RuntimeException | Error e) {
            fronts.forEach(f -> f.process().destroyForcibly());
            services.close();
            throw e;
        }
    }

    private static Front startFront(Path data, Map<String, String> env, List<String> extraArgs) {
        List<String> cmd = new ArrayList<>(List.of(binThetahost().toString(), "serve", "--data", data.toString(),
                "--ssh-port", "0", "--http-port", "0"));
        cmd.addAll(extraArgs);
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
                return new Front(data, p, stderr, sshPort, httpPort);
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

    /** The next front's, in turn: successive URLs reach the fronts one after the other. */
    public int sshPort() {
        return next().sshPort();
    }

    /** The next front's, in turn. */
    public int httpPort() {
        return next().httpPort();
    }

    private Front next() {
        return fronts.get(Math.floorMod(turn.getAndIncrement(), fronts.size()));
    }

    /** Front {@code i}'s SSH port. */
    public int sshPort(int i) {
        return fronts.get(i).sshPort();
    }

    /** Front {@code i}'s HTTP port. */
    public int httpPort(int i) {
        return fronts.get(i).httpPort();
    }

    /** Front {@code i}'s process. */
    public Process process(int i) {
        return fronts.get(i).process();
    }

    /** Kills front {@code i} with SIGKILL, as a crash or the OOM killer would, and waits for it to be gone. */
    public void kill(int i) throws InterruptedException {
        Process p = fronts.get(i).process();
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("front " + i + " did not die");
        }
    }

    /** Kills every front with SIGKILL (the one daemon, embedded), as a crash of the whole service would. */
    public void killAll() {
        fronts.forEach(f -> f.process().destroyForcibly());
    }

    /** Starts front {@code i} again (after {@link #kill}), serving from {@code freshData}, on new ports. */
    public void restart(int i, Path freshData) {
        if (services == null) {
            throw new IllegalStateException("restart is for fronts over shared state");
        }
        List<String> args = new ArrayList<>(services.options());
        args.addAll(extraArgs);
        fronts.set(i, startFront(freshData, env, args));
    }

    /** Where PostgreSQL and s3proxy keep their data (bench/cluster.sh's DIR). */
    public Path servicesDirectory() {
        return services.directory();
    }

    /** Every front's SSH port. */
    public List<Integer> sshPorts() {
        return fronts.stream().map(Front::sshPort).toList();
    }

    /** Every front's HTTP port (credentials are kept per host and port). */
    public List<Integer> httpPorts() {
        return fronts.stream().map(Front::httpPort).toList();
    }

    public Path data() {
        return data;
    }

    /** The first front's. */
    public long pid() {
        return fronts.get(0).process().pid();
    }

    /** The first front's. */
    public Process process() {
        return fronts.get(0).process();
    }

    /**
     * The bare repository behind OWNER/NAME, to check what really reached the server; with several fronts there is
     * none (packs are in the object store), so a test that needs it is skipped there.
     */
    public Path gitDir(String ownerSlashName) {
        Assumptions.assumeFalse(isCluster(), "several fronts keep no bare repository on disk");
        return data.resolve("repos").resolve(ownerSlashName + ".git");
    }

    /**
     * The commit (or other object) a ref points to in the server's repository, tags peeled, read from the storage
     * itself rather than through a front; null if absent.
     */
    public String ref(String repo, String ref) {
        if (services == null) {
            Cmd.Result r = Cmd.of("git", "--git-dir", gitDir(repo).toString(), "rev-parse", "--verify", "-q",
                    ref + "^{}").run();
            return r.ok() ? r.out().strip() : null;
        }
        try (Repository r = services.repositories().open(repo)) {
            ObjectId id = r.resolve(ref + "^{}");
            return id == null ? null : id.name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The type of an object (or of what a ref names, unpeeled) in the server's repository; null if absent. */
    public String objectType(String repo, String objectOrRef) {
        if (services == null) {
            Cmd.Result r = Cmd.of("git", "--git-dir", gitDir(repo).toString(), "cat-file", "-t", objectOrRef).run();
            return r.ok() ? r.out().strip() : null;
        }
        try (Repository r = services.repositories().open(repo)) {
            ObjectId id = r.resolve(objectOrRef);
            if (id == null || !r.getObjectDatabase().has(id)) {
                return null;
            }
            return org.eclipse.jgit.lib.Constants.typeString(r.open(id).getType());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts the server's repository is whole: every object every ref reaches is there and well formed. */
    public void assertIntact(String repo) {
        if (services == null) {
            Cmd.of("git", "--git-dir", gitDir(repo).toString(), "fsck", "--strict", "--no-dangling").run()
                    .assertOk();
            return;
        }
        try (Repository r = services.repositories().open(repo); ObjectWalk walk = new ObjectWalk(r)) {
            for (Ref ref : r.getRefDatabase().getRefs()) {
                if (ref.getObjectId() != null) {
                    walk.markStart(walk.parseAny(ref.getObjectId()));
                }
            }
            walk.checkConnectivity();
        } catch (IOException e) {
            throw new AssertionError(repo + " is not whole: " + e, e);
        }
    }

    /** Runs an admin command against this daemon's data directory, the way an administrator would. */
    public Cmd.Result admin(String... args) {
        if (services == null) {
            return admin(data, args);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(binThetahost().toString());
        cmd.addAll(List.of(args));
        cmd.add("--data");
        cmd.add(data.toString());
        cmd.addAll(services.options());
        return Cmd.of(cmd).env(services.env()).timeout(Duration.ofMinutes(3)).run();
    }

    public static Cmd.Result admin(Path data, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binThetahost().toString());
        cmd.addAll(List.of(args));
        cmd.add("--data");
        cmd.add(data.toString());
        return Cmd.of(cmd).timeout(Duration.ofMinutes(3)).run();
    }

    /** Every front's request log, merged in time order. */
    public List<String> requestLog() {
        try {
            List<String> lines = new ArrayList<>();
            for (Front f : fronts) {
                Path log = f.data().resolve("logs/requests.log");
                if (Files.exists(log)) {
                    lines.addAll(Files.readAllLines(log));
                }
            }
            if (fronts.size() > 1) {
                lines.sort(Comparator.comparing(l -> Instant.parse(l.substring(0, l.indexOf(' ')))));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String stderr() {
        StringBuilder b = new StringBuilder();
        for (Front f : fronts) {
            try {
                b.append(Files.readString(f.stderr()));
            } catch (IOException e) {
                b.append("(unreadable: ").append(e).append(")");
            }
        }
        return b.toString();
    }

    /** Sends SIGTERM to every front, as a service manager would. */
    public void terminate() {
        fronts.forEach(f -> f.process().destroy());
    }

    /** @return the first front's exit status, or -1 if it did not exit in time */
    public int awaitExit(Duration timeout) throws InterruptedException {
        Process p = process();
        return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? p.exitValue() : -1;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            for (Front f : fronts) {
                Process process = f.process();
                if (process.isAlive()) {
                    process.destroy();
                    if (!process.waitFor(60, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor();
                    }
                }
            }
        } finally {
            if (services != null) {
                services.close();
            }
        }
    }
}
