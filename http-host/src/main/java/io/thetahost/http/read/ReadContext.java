package io.thetahost.http.read;

import io.thetahost.hooks.memory.MemoryBudget;
import io.thetahost.hooks.receive.CheckLimits;
import io.thetahost.http.compare.DifferenceCache;
import io.thetahost.objectdb.TensorStore;

/**
 * What the read endpoints share: who may read, the tensor store, the kept file digests, and the limits on reading
 * manifests (the largest manifest read, and how many manifest bytes all read requests hold at once), and the measured
 * differences between tensors.
 */
public record ReadContext(ReadAccess access, TensorStore store, FileDigests digests, CheckLimits limits,
        MemoryBudget manifestBudget, DifferenceCache differences) {
}
