package io.thetahost.hooks.receive;

import io.thetahost.protocol.safetensors.SafetensorsLimits;

/**
 * Bounds on what the push checks read, so a hostile push costs bounded memory: a manifest is loaded whole, so its
 * size and tensor count are capped; merges are recomputed a block at a time.
 *
 * @param maxManifestBytes the largest manifest blob read
 * @param checkpointLimits the checkpoint a pushed manifest may describe
 * @param listedPerRule how many violations of one rule a rejection lists before counting the rest
 * @param mergeBlockBytes how much of each parent's tensor a merge recomputation holds at a time
 */
public record CheckLimits(long maxManifestBytes, SafetensorsLimits checkpointLimits, int listedPerRule,
        int mergeBlockBytes) {

    /** 64 MiB manifests of at most 200,000 tensors, 10 listed violations per rule, 1 MiB merge blocks. */
    public static CheckLimits defaults() {
        return new CheckLimits(64L << 20, SafetensorsLimits.defaults().withMaxTensors(200_000), 10, 1 << 20);
    }
}
