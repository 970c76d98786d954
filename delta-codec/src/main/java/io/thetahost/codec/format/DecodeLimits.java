package io.thetahost.codec.format;

/**
 * What a decoder accepts before it allocates or decompresses anything: an encoding that declares more is refused.
 * Memory while decoding is bounded by about two chunks plus the shared sections.
 *
 * @param maxTensorBytes the largest tensor
 * @param maxChunkBytes the largest chunk of the tensor (one row at the least, whatever this says)
 * @param maxSharedBytes the largest shared section (low-rank factor A)
 * @param maxRank the largest low-rank rank
 */
public record DecodeLimits(long maxTensorBytes, long maxChunkBytes, long maxSharedBytes, int maxRank) {

    public static DecodeLimits defaults() {
        return new DecodeLimits(1L << 40, 256L << 20, 256L << 20, 4096);
    }
}
