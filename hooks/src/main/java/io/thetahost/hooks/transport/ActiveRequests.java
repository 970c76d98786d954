package io.thetahost.hooks.transport;

import java.time.Duration;

/**
 * Counts the git requests in flight on every transport, so that shutdown can let them finish within a grace period
 * and refuse new ones meanwhile.
 */
public final class ActiveRequests {
    private int active;
    private boolean draining;

    /** A request that has started; close it when it ends. */
    public interface Ticket extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Registers a new request.
     *
     * @return the ticket, or null if the daemon is shutting down and takes no new requests
     */
    public synchronized Ticket begin() {
        if (draining) {
            return null;
        }
        active++;
        return new Ticket() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (ActiveRequests.this) {
                    if (!closed) {
                        closed = true;
                        active--;
                        ActiveRequests.this.notifyAll();
                    }
                }
            }
        };
    }

    public synchronized int count() {
        return active;
    }

    /**
     * Stops taking new requests and waits until those in flight end or the grace period passes.
     *
     * @return the number of requests still running when it returned
     */
    public synchronized int drain(Duration grace) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (active > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            long ms = Math.max(1, left / 1_000_000);
            wait(ms);
        }
        return active;
    }
}
