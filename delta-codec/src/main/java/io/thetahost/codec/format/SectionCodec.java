package io.thetahost.codec.format;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How a section's bytes are stored: as they are, zstd-compressed, or (for byte planes) each plane compressed on its
 * own, whichever is smallest; for large sections of byte planes only the planar form and the bytes as they are are
 * tried ({@link #compress}). Planes of different significance share nothing; an incompressible plane is stored as it
 * is.
 */
public final class SectionCodec {
    static {
        ZstdNativeLibrary.load();
    }

    static final int STORED = 0;
    static final int ZSTD = 1;
    /** u8 plane count, then per plane: u8 codec (STORED or ZSTD), u64 stored length, bytes. */
    static final int PLANAR = 2;
    /** Planar sections up to this size are also tried as one frame (see {@link #compress}). */
    static final int WHOLE_FRAME_MAX_BYTES = 1 << 20;
    /** ... and only when the planes came to at most this fraction of the raw bytes. */
    static final int WHOLE_FRAME_TRIED_RATIO = 64;

    private SectionCodec() {
    }

    /** The stored form: the codec and the first {@code length} bytes of {@code bytes}. */
    record Stored(int codec, byte[] bytes, int length) {
    }

    static Stored compress(Section section, int level) {
        byte[] raw = section.data();
        if (raw.length == 0) {
            return new Stored(STORED, raw, 0);
        }
        if (section.planes() == 1) {
            return smaller(raw, level);
        }
        int planes = section.planes();
        int planeLength = raw.length / planes;
        // Every plane goes straight into one array, compressed or as it is: one allocation per section, no copies.
        byte[] planar = new byte[1 + planes * (9 + (int) Zstd.compressBound(planeLength))];
        ByteBuffer at = ByteBuffer.wrap(planar).order(ByteOrder.LITTLE_ENDIAN);
        at.put((byte) planes);
        for (int p = 0; p < planes; p++) {
            int header = at.position();
            int data = header + 9;
            long n = ZstdContexts.compress(planar, data, planar.length - data, raw, p * planeLength, planeLength,
                    level, true);
            boolean compressed = n < planeLength;
            if (!compressed) {
                n = planeLength;
                System.arraycopy(raw, p * planeLength, planar, data, planeLength);
            }
            at.put(header, (byte) (compressed ? ZSTD : STORED)).putLong(header + 1, n).position(data + (int) n);
        }
        // Planes are compressed on their own, and not also as one frame unless they came out nearly empty: zstd's
        // blocks hardly ever span two planes, so one frame came within bytes of the planes (either way) at the price of
        // compressing every section twice (4 of the 7 ms a checkpoint of the fixtures' residuals took). Where the
        // planes are nearly empty (an exact apply's residual, a constant tensor), one frame's single header and tables
        // may win, and compressing such bytes costs little. Readers accept both forms.
        int planarLength = at.position();
        Stored whole = raw.length <= WHOLE_FRAME_MAX_BYTES && planarLength <= raw.length / WHOLE_FRAME_TRIED_RATIO
                ? smaller(raw, level) : null;
        long best = whole == null ? raw.length : whole.length();
        if (planarLength < best) {
            return new Stored(PLANAR, planar, planarLength);
        }
        return whole == null ? new Stored(STORED, raw, raw.length) : whole;
    }

    /** The bytes as one zstd frame, or as they are when that is no smaller. */
    private static Stored smaller(byte[] raw, int level) {
        byte[] z = new byte[(int) Zstd.compressBound(raw.length)];
        long n = ZstdContexts.compress(z, 0, z.length, raw, 0, raw.length, level, false);
        return n < raw.length ? new Stored(ZSTD, z, (int) n) : new Stored(STORED, raw, raw.length);
    }

    /**
     * Decompresses the first {@code storedLength} bytes of {@code stored} into all of {@code out}, whose length is the
     * section's raw length, which the caller has checked against its limits: a frame that holds more or less is
     * refused, nothing is ever written past the end of {@code out}, and on success every byte of it was written.
     */
    static void decompress(int codec, byte[] stored, int storedLength, byte[] out, String what)
            throws InvalidEncodingException {
        if (codec == PLANAR) {
            planar(stored, storedLength, out, what);
        } else {
            decompressInto(codec, stored, 0, storedLength, out, 0, out.length, what);
        }
    }

    private static void planar(byte[] stored, int storedLength, byte[] out, String what)
            throws InvalidEncodingException {
        int rawLength = out.length;
        if (storedLength < 1) {
            throw new InvalidEncodingException(what + ": planar section without a plane count");
        }
        int planes = stored[0] & 0xff;
        if (planes < 2 || planes > 8 || rawLength % planes != 0) {
            throw new InvalidEncodingException(what + ": " + planes + " planes for a section of " + rawLength + " bytes");
        }
        int planeLength = rawLength / planes;
        ByteBuffer in = ByteBuffer.wrap(stored, 0, storedLength).slice().order(ByteOrder.LITTLE_ENDIAN);
        in.position(1);
        for (int p = 0; p < planes; p++) {
            if (in.remaining() < 9) {
                throw new InvalidEncodingException(what + ": planar section ends inside plane " + p);
            }
            int codec = in.get() & 0xff;
            long length = in.getLong();
            if (length < 0 || length > in.remaining()) {
                throw new InvalidEncodingException(what + ": plane " + p + " declares " + Long.toUnsignedString(length)
                        + " stored bytes, " + in.remaining() + " remain");
            }
            decompressInto(codec, stored, in.position(), (int) length, out, p * planeLength, planeLength,
                    what + " plane " + p);
            in.position(in.position() + (int) length);
        }
        if (in.hasRemaining()) {
            throw new InvalidEncodingException(what + ": " + in.remaining() + " bytes after the last plane");
        }
    }

    private static void decompressInto(int codec, byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff,
            int dstLen, String what) throws InvalidEncodingException {
        if (codec == STORED) {
            if (srcLen != dstLen) {
                throw new InvalidEncodingException(what + ": stored section of " + srcLen + " bytes declares " + dstLen);
            }
            System.arraycopy(src, srcOff, dst, dstOff, dstLen);
            return;
        }
        if (codec != ZSTD) {
            throw new InvalidEncodingException(what + ": unknown section codec " + codec);
        }
        if (srcLen == 0) {
            throw new InvalidEncodingException(what + ": empty compressed data for " + dstLen + " bytes");
        }
        long declared = Zstd.getFrameContentSize(src, srcOff, srcLen);
        if (declared >= 0 && declared != dstLen) {
            throw new InvalidEncodingException(what + ": compressed frame holds " + declared
                    + " bytes, the section declares " + dstLen);
        }
        long n;
        try {
            n = ZstdContexts.decompress(dst, dstOff, dstLen, src, srcOff, srcLen);
        } catch (ZstdException e) {
            throw new InvalidEncodingException(what + ": compressed data does not decompress into the declared "
                    + dstLen + " bytes (" + e.getMessage() + ")");
        }
        if (n != dstLen) {
            throw new InvalidEncodingException(what + ": compressed data holds " + n + " bytes, the section declares "
                    + dstLen);
        }
    }
}
