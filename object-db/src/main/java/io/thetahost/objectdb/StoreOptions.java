package io.thetahost.objectdb;

import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.format.DecodeLimits;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@link TensorStore} stores and reads.
 *
 * @param maxChainDepth the deepest delta chain: a patch that would be deeper is stored re-encoded dense
 * @param pieceBytes encoding bytes per RocksDB value; an encoding streams in and out one piece at a time
 * @param limits what an upload may declare before the decoder allocates anything
 * @param tempDir where a re-encoded patch is spilled while it is rewritten; null for {@code <store>/tmp}, which the
 *     store owns and empties when it opens
 */
public record StoreOptions(int maxChainDepth, int pieceBytes, DecodeLimits limits, Path tempDir) {
    /** The largest depth a store accepts: deeper chains would cost more to read than they save. */
    public static final int MAX_CHAIN_DEPTH = 64;
    public static final int MIN_PIECE_BYTES = 64;
    public static final int MAX_PIECE_BYTES = 256 << 20;

    public StoreOptions {
        Objects.requireNonNull(limits, "limits");
        if (maxChainDepth < 0 || maxChainDepth > MAX_CHAIN_DEPTH) {
            throw new IllegalArgumentException("maxChainDepth " + maxChainDepth + " is outside 0.." + MAX_CHAIN_DEPTH);
        }
        if (pieceBytes < MIN_PIECE_BYTES || pieceBytes > MAX_PIECE_BYTES) {
            throw new IllegalArgumentException("pieceBytes " + pieceBytes + " is outside " + MIN_PIECE_BYTES + ".."
                    + MAX_PIECE_BYTES);
        }
    }

    /** Chains of at most 4 patches, 4 MiB pieces, the codec's default limits, temporary files inside the store. */
    public static StoreOptions defaults() {
        return new StoreOptions(4, 4 << 20, DecodeLimits.defaults(), null);
    }

    public StoreOptions withMaxChainDepth(int depth) {
        return new StoreOptions(depth, pieceBytes, limits, tempDir);
    }

    public StoreOptions withPieceBytes(int bytes) {
        return new StoreOptions(maxChainDepth, bytes, limits, tempDir);
    }

    public StoreOptions withLimits(DecodeLimits newLimits) {
        return new StoreOptions(maxChainDepth, pieceBytes, newLimits, tempDir);
    }

    public StoreOptions withTempDir(Path dir) {
        return new StoreOptions(maxChainDepth, pieceBytes, limits, dir);
    }

    /**
     * How the store encodes what it writes itself (a too-deep patch re-encoded dense, a repack): the encoders' usual
     * options, in chunks no larger than this store decodes.
     */
    public EncoderOptions encoderOptions() {
        EncoderOptions defaults = EncoderOptions.defaults();
        return defaults.withChunkBytes(Math.min(defaults.chunkBytes(), limits.maxChunkBytes()));
    }
}
