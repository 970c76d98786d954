package io.thetahost.hooks.receive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Progress of long checks on the pusher's terminal, through git's sideband as {@code remote:} lines: silent for
 * the first second, then at most four updates a second, each rewriting the line as git's own progress does.
 */
public final class RemoteProgress {
    private static final long DELAY_NANOS = 1_000_000_000L;
    private static final long INTERVAL_NANOS = 250_000_000L;

    private final OutputStream out;
    private final long started = System.nanoTime();
    private long last;
    private boolean shown;
    private String pending;

    /** @param out the message stream (sideband 2), or null where the client takes no messages */
    public RemoteProgress(OutputStream out) {
        this.out = out;
    }

    public void update(String line) {
        long now = System.nanoTime();
        pending = line;
        if (out == null || now - started < DELAY_NANOS || now - last < INTERVAL_NANOS) {
            return;
        }
        last = now;
        shown = true;
        write(line + "\r");
    }

    /** Ends the line, if progress was shown, with its final state. */
    public void done() {
        if (shown && pending != null) {
            write(pending + ", done.\n");
        }
        shown = false;
        pending = null;
    }

    private void write(String s) {
        try {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // The pusher went away; the checks still decide the refs.
        }
    }
}
