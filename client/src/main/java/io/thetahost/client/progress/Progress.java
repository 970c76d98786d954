package io.thetahost.client.progress;

import java.io.PrintStream;

/** Where a long operation reports how far it is, like git's own progress on stderr. */
public interface Progress {

    /** The current state, replacing the previous one. */
    void update(String line);

    /** The final state of one step; the next update starts a new line. */
    void done(String line);

    /** Ends a step with nothing to say: the update line showing, if any, is erased. */
    default void end() {
    }

    /** Ends a step with its final line if it was long enough to show progress, else silently. */
    default void doneIfShown(String line) {
        end();
    }

    Progress NONE = new Progress() {
        @Override
        public void update(String line) {
        }

        @Override
        public void done(String line) {
        }
    };

    /**
     * git-style: updates overwrite one line of the stream ({@code \r}), from one second into a step (a quick step
     * shows none, as git's own progress waits before it starts), at most ten a second (a step over many small tensors
     * would otherwise print thousands); done lines always, and they stay.
     */
    static Progress on(PrintStream err) {
        return new Progress() {
            private static final long DELAY_NANOS = 1_000_000_000L;
            private static final long INTERVAL_NANOS = 100_000_000L;
            private long stepStarted = -1;
            private long lastUpdate;
            private int lastLength;

            /** The line, padded to cover the longer one it overwrites. */
            private String over(String line) {
                String padded = line.length() < lastLength ? line + " ".repeat(lastLength - line.length()) : line;
                lastLength = line.length();
                return padded;
            }

            @Override
            public void update(String line) {
                long now = System.nanoTime();
                if (stepStarted < 0) {
                    stepStarted = now;
                    lastUpdate = now - INTERVAL_NANOS;
                }
                if (now - stepStarted < DELAY_NANOS || now - lastUpdate < INTERVAL_NANOS) {
                    return;
                }
                lastUpdate = now;
                err.print("\r" + over(line));
                err.flush();
            }

            @Override
            public void done(String line) {
                err.print((lastLength > 0 ? "\r" + over(line) : line) + "\n");
                err.flush();
                lastLength = 0;
                stepStarted = -1;
            }

            @Override
            public void doneIfShown(String line) {
                if (lastLength > 0) {
                    done(line);
                } else {
                    end();
                }
            }

            @Override
            public void end() {
                if (lastLength > 0) {
                    err.print("\r" + " ".repeat(lastLength) + "\r");
                    err.flush();
                }
                lastLength = 0;
                stepStarted = -1;
            }
        };
    }

    /** This progress for several threads: each call runs whole, one at a time. */
    static Progress shared(Progress progress) {
        return new Progress() {
            @Override
            public synchronized void update(String line) {
                progress.update(line);
            }

            @Override
            public synchronized void done(String line) {
                progress.done(line);
            }

            @Override
            public synchronized void end() {
                progress.end();
            }

            @Override
            public synchronized void doneIfShown(String line) {
                progress.doneIfShown(line);
            }
        };
    }

    static String megabytes(long bytes) {
        return String.format("%.2f MB", bytes / 1e6);
    }

    /** How long a step took and its throughput, as git's progress ends: " in 2.1 s, 48.22 MB/s". */
    static String rate(long bytes, long startedNanos) {
        double seconds = Math.max(System.nanoTime() - startedNanos, 1) / 1e9;
        return String.format(" in %.1f s, %.2f MB/s", seconds, bytes / 1e6 / seconds);
    }
}
