package io.thetahost.conformance.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** bin/theta as a user runs it, with that user's git environment (ssh command, credential helper). */
public final class Theta {
    private static final Pattern SENT = Pattern.compile("(\\d+) bytes sent, (\\d+) received");

    private Theta() {
    }

    public static Cmd.Result run(GitUser user, Path dir, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Fixtures.binTheta().toString());
        cmd.addAll(List.of(args));
        return Cmd.of(cmd).in(dir).env(user.env()).run();
    }

    /** The bytes sent and received that a transfer command reports, as {@code [sent, received]}. */
    public static long[] wireBytes(Cmd.Result r) {
        Matcher m = SENT.matcher(r.out());
        if (!m.find()) {
            throw new AssertionError(r.describe("no byte counts in the output"));
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }
}
