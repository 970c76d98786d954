package io.thetahost.codec.format;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;

/**
 * One zstd compression and one decompression context per thread, reused for every section: {@code Zstd}'s static
 * calls create and free a context each time, which cost about as much as decompressing a small tensor's planes (9% of
 * decoding the fixtures, 10% of encoding them). A context is not thread-safe, hence one per thread; its native memory
 * (a few hundred KiB at the levels used) is freed by the context's cleaner once its thread is gone. Reusing one gives
 * the same frames as a fresh one: every parameter a call depends on is set before it.
 */
final class ZstdContexts {
    private static final ThreadLocal<ZstdCompressCtx> COMPRESS = ThreadLocal.withInitial(ZstdCompressCtx::new);
    private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESS = ThreadLocal.withInitial(ZstdDecompressCtx::new);

    private ZstdContexts() {
    }

    /**
     * Match finding for one byte plane of floats (at levels that use zstd's fast strategy): a 64-entry hash table and
     * matches of 7 bytes or more. A plane's bytes are near noise (mantissas) or few values in no order (exponents),
     * where level 1's short matches cost more to code than the literals they replace: on the exponent plane of the
     * fixtures' weights this came out 7% smaller than level 1's defaults (536,734 against 579,296 bytes), and on a
     * generated bf16 plane 10% smaller in two thirds of the time. Frames are ordinary zstd frames either way.
     */
    private static final int PLANE_HASH_LOG = 6;
    private static final int PLANE_MIN_MATCH = 7;

    /**
     * As {@code Zstd.compressByteArray}: one frame at {@code level}, without a checksum; for one byte plane
     * ({@code bytePlane}), with the plane's match finding.
     */
    static int compress(byte[] dst, int dstOff, int dstLen, byte[] src, int srcOff, int srcLen, int level,
            boolean bytePlane) {
        ZstdCompressCtx ctx = COMPRESS.get();
        ctx.setLevel(level);
        ctx.setChecksum(false);
        // 0 is the level's own value: set both every time, since the context keeps them from call to call.
        ctx.setHashLog(bytePlane ? PLANE_HASH_LOG : 0);
        ctx.setMinMatch(bytePlane ? PLANE_MIN_MATCH : 0);
        return ctx.compressByteArray(dst, dstOff, dstLen, src, srcOff, srcLen);
    }

    /** As {@code Zstd.decompressByteArray}. */
    static int decompress(byte[] dst, int dstOff, int dstLen, byte[] src, int srcOff, int srcLen) {
        return DECOMPRESS.get().decompressByteArray(dst, dstOff, dstLen, src, srcOff, srcLen);
    }
}
