package io.thetahost.codec.format;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;

/** How a section's bytes are stored: as they are, or zstd-compressed when that is smaller. */
public final class SectionCodec {
    static final int STORED = 0;
    static final int ZSTD = 1;

    private SectionCodec() {
    }

    /** The stored form: a codec byte's worth of choice and the bytes. */
    record Stored(int codec, byte[] bytes) {
    }

    static Stored compress(byte[] raw, int level) {
        if (raw.length == 0) {
            return new Stored(STORED, raw);
        }
        byte[] z = Zstd.compress(raw, level);
        return z.length < raw.length ? new Stored(ZSTD, z) : new Stored(STORED, raw);
    }

    /**
     * Decompresses into exactly {@code rawLength} bytes; a frame that holds more or less is refused, and nothing is
     * ever written past {@code rawLength}, which the caller has checked against its limits.
     */
    static byte[] decompress(int codec, byte[] stored, int rawLength, String what) throws InvalidEncodingException {
        if (codec == STORED) {
            if (stored.length != rawLength) {
                throw new InvalidEncodingException(what + ": stored section of " + stored.length
                        + " bytes declares " + rawLength);
            }
            return stored;
        }
        if (codec != ZSTD) {
            throw new InvalidEncodingException(what + ": unknown section codec " + codec);
        }
        long declared = Zstd.getFrameContentSize(stored);
        if (declared >= 0 && declared != rawLength) {
            throw new InvalidEncodingException(what + ": compressed frame holds " + declared + " bytes, the section declares "
                    + rawLength);
        }
        byte[] out = new byte[rawLength];
        long n;
        try {
            n = Zstd.decompressByteArray(out, 0, rawLength, stored, 0, stored.length);
        } catch (ZstdException e) {
            throw new InvalidEncodingException(what + ": compressed data does not decompress into the declared "
                    + rawLength + " bytes (" + e.getMessage() + ")");
        }
        if (n != rawLength) {
            throw new InvalidEncodingException(what + ": compressed data holds " + n + " bytes, the section declares "
                    + rawLength);
        }
        return out;
    }
}
