package io.thetahost.protocol.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The name of a tensor value: SHA-256 over a canonical serialization of its dtype, shape and raw little-endian
 * bytes. It names a value, not an encoding: identical tensors anywhere share one id.
 *
 * <p>The canonical serialization (see MANIFEST.md): the 17 bytes {@code "thetahost-tensor\0"}, the dtype's
 * safetensors name in ASCII and a NUL, the rank as an unsigned 32-bit little-endian integer, each dimension as an
 * unsigned 64-bit little-endian integer, then the raw bytes, exactly {@code dtype.sizeOf(shape.elements())} of them.
 * Written as text, an id is {@code sha256:} and 64 lowercase hex digits.
 */
public final class TensorId {
    public static final String PREFIX = "sha256:";
    private static final byte[] DOMAIN = "thetahost-tensor\0".getBytes(StandardCharsets.US_ASCII);

    private final byte[] digest;

    private TensorId(byte[] digest) {
        this.digest = digest;
    }

    public static TensorId ofDigest(byte[] digest) {
        if (digest.length != 32) {
            throw new IllegalArgumentException("a tensor id is 32 bytes, not " + digest.length);
        }
        return new TensorId(digest.clone());
    }

    /** @throws IllegalArgumentException unless the text is {@code sha256:} and 64 lowercase hex digits */
    public static TensorId parse(String text) {
        if (text == null || !text.startsWith(PREFIX) || text.length() != PREFIX.length() + 64) {
            throw new IllegalArgumentException(
                    "not a tensor id: '" + abbreviate(text) + "' (expected sha256:<64 hex>)");
        }
        String hex = text.substring(PREFIX.length());
        for (char c : hex.toCharArray()) {
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new IllegalArgumentException("not a tensor id: '" + abbreviate(text) + "' (lowercase hex only)");
            }
        }
        return new TensorId(HexFormat.of().parseHex(hex));
    }

    /** The id of a tensor held whole in memory. */
    public static TensorId of(DType dtype, Shape shape, byte[] raw) {
        Hasher h = hasher(dtype, shape);
        h.update(raw, 0, raw.length);
        return h.finish();
    }

    /** Computes an id from bytes that arrive in pieces. */
    public static Hasher hasher(DType dtype, Shape shape) {
        return new Hasher(dtype, shape);
    }

    public byte[] digest() {
        return digest.clone();
    }

    @Override
    public String toString() {
        return PREFIX + HexFormat.of().formatHex(digest);
    }

    /** The id as a person reads it in a message: {@code sha256:} and its first 16 hex digits, then "...". */
    public String abbreviated() {
        return PREFIX + HexFormat.of().formatHex(digest, 0, 8) + "...";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorId && Arrays.equals(((TensorId) o).digest, digest);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(digest);
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** Hashes a tensor's raw bytes as they arrive; {@link #finish()} checks that exactly the right number came. */
    public static final class Hasher {
        private final MessageDigest sha;
        private final long expected;
        private long seen;

        private Hasher(DType dtype, Shape shape) {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
            }
            expected = dtype.sizeOf(shape.elements());
            sha.update(DOMAIN);
            sha.update(dtype.formatName().getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) 0);
            ByteBuffer dims = ByteBuffer.allocate(4 + 8 * shape.rank()).order(ByteOrder.LITTLE_ENDIAN);
            dims.putInt(shape.rank());
            for (long d : shape.dims()) {
                dims.putLong(d);
            }
            sha.update(dims.array());
        }

        public void update(byte[] bytes, int off, int len) {
            if (seen + len > expected) {
                throw new IllegalStateException("more bytes than the tensor holds (" + expected + ")");
            }
            sha.update(bytes, off, len);
            seen += len;
        }

        public void update(ByteBuffer bytes) {
            int len = bytes.remaining();
            if (seen + len > expected) {
                throw new IllegalStateException("more bytes than the tensor holds (" + expected + ")");
            }
            sha.update(bytes);
            seen += len;
        }

        /** @throws IllegalStateException if fewer bytes came than the dtype and shape make */
        public TensorId finish() {
            if (seen != expected) {
                throw new IllegalStateException("tensor cut short: " + seen + " of " + expected + " bytes");
            }
            return new TensorId(sha.digest());
        }
    }
}
