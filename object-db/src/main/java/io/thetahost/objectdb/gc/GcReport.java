package io.thetahost.objectdb.gc;

import java.util.List;

/**
 * What gc kept and freed.
 *
 * @param tensorsKept tensors live, within the grace period, or a base that a kept tensor's chain needs
 * @param tensorsRemoved tensors deleted (meta, pieces and grants)
 * @param bytesFreed the removed tensors' encoded bytes plus the orphans' bytes (TensorStore.gc gives
 *     their disk space back before it returns)
 * @param orphansRemoved blobs of uploads that never committed, deleted
 * @param accessEntriesRemoved grants deleted with their tensors, or naming no stored tensor
 */
public record GcReport(long tensorsKept, long tensorsRemoved, long bytesFreed, long orphansRemoved,
        long accessEntriesRemoved) {

    /** The report as a person reads it. */
    public List<String> lines() {
        return List.of("kept " + tensorsKept + " tensors, removed " + tensorsRemoved + " tensors and " + orphansRemoved
                + " interrupted uploads, freeing " + bytesFreed + " bytes; removed " + accessEntriesRemoved
                + " access entries");
    }

    @Override
    public String toString() {
        return String.join("\n", lines());
    }
}
