package io.thetahost.server.maintenance;

import java.time.Duration;

/** How long gc keeps unreferenced uploads: a push comes after the upload of its tensors. */
public final class GcGrace {
    public static final Duration DEFAULT = Duration.ofDays(1);

    private GcGrace() {
    }

    /** From an admin request's arguments ({@code --grace SECONDS}); the default when absent. */
    public static Duration parse(String[] args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--grace")) {
                long seconds = Long.parseLong(args[i + 1]);
                if (seconds < 0) {
                    throw new IllegalArgumentException("--grace must be 0 or more seconds");
                }
                return Duration.ofSeconds(seconds);
            }
        }
        return DEFAULT;
    }
}
