package io.thetahost.server.maintenance;

import java.time.Duration;

/**
 * What a gc request asks for: how long to keep unreferenced uploads (a push comes after the upload of its tensors),
 * and whether to repack the tensor store afterwards.
 */
public record GcArguments(Duration grace, boolean repack) {
    public static final Duration DEFAULT_GRACE = Duration.ofDays(1);

    /** From an admin request's arguments ({@code --grace SECONDS}, {@code --repack}); the defaults when absent. */
    public static GcArguments parse(String[] args) {
        Duration grace = DEFAULT_GRACE;
        boolean repack = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--repack" -> repack = true;
                case "--grace" -> {
                    if (i + 1 == args.length) {
                        throw new IllegalArgumentException("--grace needs a number of seconds");
                    }
                    long seconds = Long.parseLong(args[++i]);
                    if (seconds < 0) {
                        throw new IllegalArgumentException("--grace must be 0 or more seconds");
                    }
                    grace = Duration.ofSeconds(seconds);
                }
                default -> throw new IllegalArgumentException("gc does not take " + args[i]);
            }
        }
        return new GcArguments(grace, repack);
    }

    /** The request's arguments as the admin socket carries them. */
    public String toRequest() {
        return "gc --grace " + grace.toSeconds() + (repack ? " --repack" : "");
    }
}
