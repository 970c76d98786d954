package io.thetahost.hooks.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * HTTP access tokens. A token carries 256 random bits, so a plain SHA-256 of it is a safe thing to store: only the
 * hash is kept, and the token is shown once.
 */
public final class AccessTokens {
    public static final String PREFIX = "tht_";
    static final String HASH_PREFIX = "sha256:";
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private AccessTokens() {
    }

    /** A new token: the prefix and 43 base-62 characters (about 256 bits). */
    public static String generate() {
        StringBuilder b = new StringBuilder(PREFIX);
        for (int i = 0; i < 43; i++) {
            b.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return b.toString();
    }

    /** What is stored for a token. */
    public static String hash(String token) {
        return HASH_PREFIX + HexFormat.of().formatHex(sha256(token));
    }

    /** Compares in constant time, so timing does not tell how much of a guess was right. */
    public static boolean matches(String token, String storedHash) {
        return MessageDigest.isEqual(hash(token).getBytes(StandardCharsets.US_ASCII),
                storedHash.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
