package io.thetahost.hooks.memory;

import java.util.concurrent.Semaphore;

/**
 * Bytes of heap that one kind of work may hold at once across every request the daemon serves: where the memory of
 * concurrent requests is bounded, so that more of them queue rather than grow the heap. A piece of work holds its
 * share while it runs; many small ones run side by side and a large one waits for the others (the semaphore is fair,
 * so it is not starved). Every share asked for fits the budget, so one piece of work at the limit always runs.
 */
public final class MemoryBudget {
    /** Permits count KiB, so a budget may pass 2 GiB. */
    private static final int UNIT = 1024;

    private final String what;
    private final long bytes;
    private final Semaphore available;

    /** @param what the work, for errors: "a manifest", "a tensor transfer" */
    public MemoryBudget(String what, long bytes) {
        if (bytes <= 0 || units(bytes) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a memory budget is 1 to " + (long) Integer.MAX_VALUE * UNIT
                    + " bytes, not " + bytes);
        }
        this.what = what;
        this.bytes = bytes;
        this.available = new Semaphore((int) units(bytes), true);
    }

    public long bytes() {
        return bytes;
    }

    /** A share of the budget, held until closed. */
    public final class Share implements AutoCloseable {
        private final int held;
        private boolean closed;

        private Share(int held) {
            this.held = held;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                available.release(held);
            }
        }
    }

    /** Waits for {@code size} bytes of the budget; a caller only asks for what its own limit allows. */
    public Share acquire(long size) throws InterruptedException {
        if (size < 0 || size > bytes) {
            throw new IllegalArgumentException(what + " of " + size + " bytes is over the budget of " + bytes);
        }
        int held = (int) units(size);
        available.acquire(held);
        return new Share(held);
    }

    private static long units(long size) {
        return (size + UNIT - 1) / UNIT;
    }
}
