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

    /** As {@code Zstd.compressByteArray}: one frame at {@code level}, without a checksum. */
    static int compress(byte[] dst, int dstOff, int dstLen, byte[] src, int srcOff, int srcLen, int level) {
        ZstdCompressCtx ctx = COMPRESS.get();
        ctx.setLevel(level);
        ctx.setChecksum(false);
        return ctx.compressByteArray(dst, dstOff, dstLen, src, srcOff, srcLen);
    }

    /** As {@code Zstd.decompressByteArray}. */
    static int decompress(byte[] dst, int dstOff, int dstLen, byte[] src, int srcOff, int srcLen) {
        return DECOMPRESS.get().decompressByteArray(dst, dstOff, dstLen, src, srcOff, srcLen);
    }
}
