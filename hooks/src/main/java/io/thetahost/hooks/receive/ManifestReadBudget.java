package io.thetahost.hooks.receive;

import java.util.concurrent.Semaphore;

/**
 * The bytes of manifest the push checks may be reading at once, across every push the daemon serves: where the
 * memory of concurrent checks is bounded. A manifest of N bytes holds N of the budget while it is parsed, so many
 * small manifests are read side by side and a large one waits for the others. The budget equals the manifest limit,
 * so one manifest at the limit always fits.
 */
public final class ManifestReadBudget {
    private final long bytes;
    private final Semaphore available;

    public ManifestReadBudget(long bytes) {
        if (bytes <= 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a manifest read budget is 1 to " + Integer.MAX_VALUE + " bytes, not "
                    + bytes);
        }
        this.bytes = bytes;
        this.available = new Semaphore((int) bytes, true);
    }

    /** A share of the budget, held until closed. */
    public final class Share implements AutoCloseable {
        private final int held;

        private Share(int held) {
            this.held = held;
        }

        @Override
        public void close() {
            available.release(held);
        }
    }

    /**
     * Waits for {@code size} bytes of the budget; a caller only asks for what its limit allows, which the budget
     * always covers.
     */
    public Share acquire(long size) throws InterruptedException {
        if (size < 0 || size > bytes) {
            throw new IllegalArgumentException("a manifest of " + size + " bytes is over the budget of " + bytes);
        }
        available.acquire((int) size);
        return new Share((int) size);
    }
}
