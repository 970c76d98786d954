package io.thetahost.hooks.receive;

import io.thetahost.protocol.safetensors.SafetensorsLimits;

/**
 * Bounds on what the push checks read, so a hostile push costs bounded memory: a manifest is loaded whole, so its
 * size (scaled to the heap) and tensor count are capped; merges are recomputed a block at a time.
 *
 * @param maxManifestBytes the largest manifest blob read
 * @param checkpointLimits the checkpoint a pushed manifest may describe
 * @param listedPerRule how many violations of one rule a rejection lists before counting the rest
 * @param mergeBlockBytes how much of each parent's tensor a merge recomputation holds at a time
 */
public record CheckLimits(long maxManifestBytes, SafetensorsLimits checkpointLimits, int listedPerRule,
        int mergeBlockBytes) {

    /** The largest manifest limit, whatever the heap: some 200,000 tensors of a real checkpoint (330 bytes each). */
    public static final long MAX_MANIFEST_BYTES = 64L << 20;
    /** The smallest manifest limit, whatever the heap: about 3,000 tensors. */
    public static final long MIN_MANIFEST_BYTES = 1L << 20;

    /**
     * The limits for a daemon with this much heap. Parsing a manifest takes about seven times its size at its peak
     * (its bytes, their characters, the embedded header decoded again, the parsed tensors) and keeps about one and a
     * half; the push checks parse at most {@code maxManifestBytes} of manifests at a time across all pushes
     * ({@link io.thetahost.hooks.memory.MemoryBudget}), and each push keeps at most that much parsed. So a manifest may be 1/32 of the
     * heap, between {@link #MIN_MANIFEST_BYTES} and {@link #MAX_MANIFEST_BYTES}: reading manifests takes under a
     * quarter of the heap, plus a twentieth per push in progress. At most 200,000 tensors, 10 listed violations per
     * rule, 1 MiB merge blocks.
     */
    public static CheckLimits forHeap(long maxHeapBytes) {
        long manifest = Math.max(MIN_MANIFEST_BYTES, Math.min(MAX_MANIFEST_BYTES, maxHeapBytes / 32));
        return new CheckLimits(manifest, SafetensorsLimits.defaults().withMaxTensors(200_000), 10, 1 << 20);
    }

    /** The limits for this JVM's heap ({@code -Xmx}). */
    public static CheckLimits forThisHeap() {
        return forHeap(Runtime.getRuntime().maxMemory());
    }
}
