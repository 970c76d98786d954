package io.thetahost.objectdb.store;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The name under which one upload writes its encoding's pieces: 16 random bytes chosen per upload, never the tensor
 * id, so that two uploads of the same tensor at once never write into each other's pieces.
 */
public final class BlobKey {
    public static final int LENGTH = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] bytes;

    private BlobKey(byte[] bytes) {
        this.bytes = bytes;
    }

    public static BlobKey random() {
        byte[] b = new byte[LENGTH];
        RANDOM.nextBytes(b);
        return new BlobKey(b);
    }

    /** @throws IllegalArgumentException unless {@code bytes} is {@value #LENGTH} bytes */
    public static BlobKey of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a blob key is " + LENGTH + " bytes, not " + bytes.length);
        }
        return new BlobKey(bytes.clone());
    }

    /** The key at the start of a longer one (a piece key). */
    public static BlobKey prefixOf(byte[] key) {
        return new BlobKey(Arrays.copyOf(key, LENGTH));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlobKey && Arrays.equals(((BlobKey) o).bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
