package io.thetahost.codec.format;

/**
 * What a decoder accepts before it allocates or decompresses anything: an encoding that declares more is refused.
 * Memory while decoding is bounded by about two chunks plus the shared sections.
 *
 * @param maxTensorBytes the largest tensor
 * @param maxChunkBytes the largest chunk of the tensor, and the largest chunk of low-rank factor B; a tensor whose
 *     single row is larger cannot be decoded (nor encoded: the encoders check against the defaults)
 * @param maxSharedBytes the largest shared section (low-rank factor A)
 * @param maxRank the largest low-rank rank
 */
public record DecodeLimits(long maxTensorBytes, long maxChunkBytes, long maxSharedBytes, int maxRank) {

    public static DecodeLimits defaults() {
        return new DecodeLimits(1L << 40, 256L << 20, 256L << 20, 4096);
    }
}
