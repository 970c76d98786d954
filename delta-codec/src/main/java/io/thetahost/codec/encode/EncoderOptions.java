package io.thetahost.codec.encode;

import java.time.Duration;

/**
 * How encoders work: the chunk size that bounds their memory (and the decoders'), the zstd level, and how long the
 * search for the smallest encoding of one tensor may take.
 */
public record EncoderOptions(long chunkBytes, int zstdLevel, Duration timeBudget) {

    public static EncoderOptions defaults() {
        // 16 MiB chunks: an encoder holds a few of them at once (the chunk, its byte planes, their compressed forms), so
        // this keeps a client well inside a 256 MiB heap while costing no compression that a larger chunk would save.
        return new EncoderOptions(16L << 20, 1, Duration.ofSeconds(10));
    }

    public EncoderOptions withChunkBytes(long bytes) {
        return new EncoderOptions(bytes, zstdLevel, timeBudget);
    }

    public EncoderOptions withTimeBudget(Duration budget) {
        return new EncoderOptions(chunkBytes, zstdLevel, budget);
    }

    public EncoderOptions withZstdLevel(int level) {
        return new EncoderOptions(chunkBytes, level, timeBudget);
    }
}
