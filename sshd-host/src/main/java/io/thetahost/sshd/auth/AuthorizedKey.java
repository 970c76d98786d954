package io.thetahost.sshd.auth;

import java.security.PublicKey;
import java.security.interfaces.DSAPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * One SSH public key a user may log in with, parsed from an OpenSSH public key line
 * ({@code ssh-ed25519 AAAA... comment}). Weak keys are refused: DSA, and RSA below {@link #MIN_RSA_BITS} bits.
 */
public final class AuthorizedKey {
    public static final int MIN_RSA_BITS = 2048;

    private final PublicKey key;
    private final String line;

    private AuthorizedKey(PublicKey key, String line) {
        this.key = key;
        this.line = line;
    }

    /**
     * Parses and checks a public key as a {@code .pub} file holds it: one key line, with blank lines and
     * {@code #} comments ignored.
     *
     * @throws IllegalArgumentException saying what is wrong with the key
     */
    public static AuthorizedKey parse(String input) {
        if (input.strip().startsWith("-----BEGIN")) {
            throw new IllegalArgumentException(
                    "this looks like a private key; give the public key (the .pub file) instead");
        }
        List<String> lines = input.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("no public key found: expected a line like 'ssh-ed25519 AAAA... comment'");
        }
        if (lines.size() > 1) {
            throw new IllegalArgumentException("found " + lines.size() + " lines of keys; give exactly one public key");
        }
        String trimmed = lines.get(0);
        PublicKey key;
        try {
            PublicKeyEntry entry = PublicKeyEntry.parsePublicKeyEntry(trimmed);
            key = entry.resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a valid OpenSSH public key: " + firstLine(e.getMessage()));
        }
        if (key == null) {
            throw new IllegalArgumentException("unsupported public key type in '" + abbreviate(trimmed) + "'");
        }
        checkStrength(key);
        String[] parts = trimmed.split("\\s+", 3);
        String canonical = PublicKeyEntry.toString(key) + (parts.length == 3 ? " " + parts[2] : "");
        return new AuthorizedKey(key, canonical);
    }

    private static void checkStrength(PublicKey key) {
        if (key instanceof DSAPublicKey) {
            throw new IllegalArgumentException("DSA keys are not accepted; use ed25519, ecdsa or RSA of at least "
                    + MIN_RSA_BITS + " bits");
        }
        if (key instanceof RSAPublicKey) {
            int bits = ((RSAPublicKey) key).getModulus().bitLength();
            if (bits < MIN_RSA_BITS) {
                throw new IllegalArgumentException("RSA key of " + bits + " bits is too weak; at least "
                        + MIN_RSA_BITS + " bits are required");
            }
        }
    }

    public PublicKey key() {
        return key;
    }

    /** The key as one normalized authorized_keys line, with its comment. */
    public String line() {
        return line;
    }

    /** The SHA256 fingerprint OpenSSH prints, for messages. */
    public String fingerprint() {
        return KeyUtils.getFingerPrint(key);
    }

    public boolean matches(PublicKey other) {
        return KeyUtils.compareKeys(key, other);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable key data";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
