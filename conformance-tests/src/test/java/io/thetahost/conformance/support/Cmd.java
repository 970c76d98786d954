package io.thetahost.conformance.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a real program (git, ssh, curl, bin/thetahost) and captures what it printed. */
public final class Cmd {
    private final List<String> args;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path dir;
    private byte[] stdin = new byte[0];
    private Duration timeout = Duration.ofMinutes(5);

    private Cmd(List<String> args) {
        this.args = args;
    }

    public static Cmd of(String... args) {
        return new Cmd(new ArrayList<>(Arrays.asList(args)));
    }

    public static Cmd of(List<String> args) {
        return new Cmd(new ArrayList<>(args));
    }

    public Cmd in(Path directory) {
        this.dir = directory;
        return this;
    }

    public Cmd env(String key, String value) {
        env.put(key, value);
        return this;
    }

    public Cmd env(Map<String, String> values) {
        env.putAll(values);
        return this;
    }

    public Cmd stdin(byte[] bytes) {
        this.stdin = bytes;
        return this;
    }

    public Cmd stdin(String text) {
        return stdin(text.getBytes(StandardCharsets.UTF_8));
    }

    public Cmd timeout(Duration t) {
        this.timeout = t;
        return this;
    }

    public ProcessBuilder builder() {
        ProcessBuilder pb = new ProcessBuilder(args);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        return pb;
    }

    /** What a finished program did. */
    public record Result(List<String> command, int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }

        public String all() {
            return out + err;
        }

        /** Fails with everything the program said, for when it was expected to succeed. */
        public Result assertOk() {
            if (exit != 0) {
                throw new AssertionError(describe("expected success"));
            }
            return this;
        }

        public Result assertFailed() {
            if (exit == 0) {
                throw new AssertionError(describe("expected failure"));
            }
            return this;
        }

        public String describe(String what) {
            return what + ": " + String.join(" ", command) + "\nexit " + exit + "\n--- stdout\n" + out
                    + "\n--- stderr\n" + err;
        }
    }

    public Result run() {
        try {
            Process p = builder().start();
            Thread feeder = new Thread(() -> {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stdin);
                } catch (IOException e) {
                    // The program did not read all of its input; what it printed says why.
                }
            });
            feeder.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread o = pump(p.getInputStream(), out);
            Thread e = pump(p.getErrorStream(), err);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", args)
                        + "\n--- stderr so far\n" + err.toString(StandardCharsets.UTF_8));
            }
            o.join();
            e.join();
            feeder.join();
            return new Result(args, p.exitValue(), out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static Thread pump(InputStream in, OutputStream sink) {
        Thread t = new Thread(() -> {
            try (in) {
                in.transferTo(sink);
            } catch (IOException e) {
                // The stream closes when the process ends.
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }
}
