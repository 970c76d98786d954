package io.thetahost.objectdb.store;

import io.thetahost.protocol.tensor.TensorId;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The locks that order changes to what is visible. Commits (an upload's final batch, a grant) share the sweep lock;
 * gc holds it alone from marking to sweeping, so a tensor gc decided to keep cannot lose its base to the same gc,
 * and a commit never makes visible a patch whose base gc is deleting. Commits of the same tensor also take that
 * tensor's stripe, so that exactly one of two concurrent uploads stores it. Order: sweep lock, then a stripe.
 */
public final class StoreLocks {
    private static final int STRIPES = 64;

    private final ReentrantReadWriteLock sweep = new ReentrantReadWriteLock();
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final AtomicLong changes = new AtomicLong();

    public StoreLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Held while a commit checks and writes. */
    public Lock commit() {
        return sweep.readLock();
    }

    /** Held by gc while it marks and sweeps. */
    public Lock sweep() {
        return sweep.writeLock();
    }

    /** Held while a commit of {@code id} checks whether it is stored and writes. */
    public Lock tensor(TensorId id) {
        return stripes[Math.floorMod(id.hashCode(), STRIPES)];
    }

    /**
     * Tensors were made visible or removed (an upload's commit, a gc sweep), so chains changed: repack, which plans
     * from a scan of them, scans again.
     */
    public void chainsChanged() {
        changes.incrementAndGet();
    }

    /** How often chains changed since the store opened. Read it under {@link #sweep()} for a stable answer. */
    public long chainChanges() {
        return changes.get();
    }
}
