package io.thetahost.conformance.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A clone of a model repository, driven with git and bin/theta as its user would, and what the daemon saw. */
public final class ModelRepo {
    private static final Pattern BYTES = Pattern.compile(" service=(\\S+) .* in=(\\d+) out=(\\d+) ");

    public final GitUser user;
    public final Path dir;
    private final Map<String, String> extraEnv;

    public ModelRepo(GitUser user, Path dir, Map<String, String> extraEnv) {
        this.user = user;
        this.dir = dir;
        this.extraEnv = extraEnv;
    }

    public Cmd.Result git(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        return Cmd.of(cmd).in(dir).env(user.env()).env(extraEnv).run();
    }

    public Cmd.Result theta(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Fixtures.binTheta().toString());
        cmd.addAll(List.of(args));
        return Cmd.of(cmd).in(dir).env(user.env()).env(extraEnv).run();
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    /** The short status, which must be empty for a clean work tree. */
    public String status() {
        return git("status", "--porcelain").assertOk().out();
    }

    public void assertClean() {
        assertEquals("", status(), "git status after the step");
    }

    /** Bytes the daemon received and sent for requests logged from line {@code from} on, git's and theta's. */
    public record Wire(long git, long theta) {
        public long total() {
            return git + theta;
        }
    }

    public static Wire wireSince(ThetahostServer server, int from) throws InterruptedException {
        // A request is logged when it ends, which can be just after the client has its answer.
        List<String> lines = server.requestLog();
        for (int stable = 0, waited = 0; stable < 3 && waited < 40; waited++) {
            Thread.sleep(100);
            List<String> now = server.requestLog();
            stable = now.size() == lines.size() ? stable + 1 : 0;
            lines = now;
        }
        long git = 0;
        long theta = 0;
        for (String line : lines.subList(from, lines.size())) {
            Matcher m = BYTES.matcher(line);
            if (m.find()) {
                long b = Long.parseLong(m.group(2)) + Long.parseLong(m.group(3));
                if (m.group(1).equals("theta-transfer")) {
                    theta += b;
                } else {
                    git += b;
                }
            }
        }
        return new Wire(git, theta);
    }
}
