package io.thetahost.client.progress;

import java.io.PrintStream;

/** Where a long operation reports how far it is, like git's own progress on stderr. */
public interface Progress {

    /** The current state, replacing the previous one. */
    void update(String line);

    /** The final state of one step; the next update starts a new line. */
    void done(String line);

    Progress NONE = new Progress() {
        @Override
        public void update(String line) {
        }

        @Override
        public void done(String line) {
        }
    };

    /**
     * git-style: updates overwrite one line of the stream ({@code \r}), at most ten a second (a step over many small
     * tensors would otherwise print thousands); done lines always, and they stay.
     */
    static Progress on(PrintStream err) {
        return new Progress() {
            private static final long INTERVAL_NANOS = 100_000_000L;
            private long lastUpdate = System.nanoTime() - INTERVAL_NANOS;

            @Override
            public void update(String line) {
                long now = System.nanoTime();
                if (now - lastUpdate < INTERVAL_NANOS) {
                    return;
                }
                lastUpdate = now;
                err.print("\r" + line);
                err.flush();
            }

            @Override
            public void done(String line) {
                err.print("\r" + line + "\n");
                err.flush();
            }
        };
    }
}
