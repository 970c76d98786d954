package io.thetahost.http.read;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The sha256 of files as downloaded (a raw file's ETag, huggingface_hub's blob name), computed once by reading the
 * file through and kept in a folder of small files named by {@link FileContent#digestKey()}. Two requests for the
 * same file compute it once; a kept digest that does not read back as one is computed again.
 */
public final class FileDigests {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileDigests.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern KEY = Pattern.compile("[a-z]+-[0-9a-f]{40,64}");
    private final Path dir;
    private final ConcurrentHashMap<String, Object> computing = new ConcurrentHashMap<>();

    public FileDigests(Path dir) {
        this.dir = dir;
    }

    /** The file's sha256 in lowercase hex, computed now if it is not kept. */
    public String sha256(FileContent content) throws IOException {
        String key = content.digestKey();
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a digest key: " + key);
        }
        String kept = kept(key);
        if (kept != null) {
            return kept;
        }
        Object lock = computing.computeIfAbsent(key, k -> new Object());
        try {
            synchronized (lock) {
                kept = kept(key);
                if (kept != null) {
                    return kept;
                }
                String computed = compute(content);
                try {
                    keep(key, computed);
                } catch (IOException e) {
                    // A full disk or a read-only cache: the answer stands, the next request computes it again.
                    LOG.warn("could not keep the sha256 of {}: {}", key, e.toString());
                }
                return computed;
            }
        } finally {
            computing.remove(key, lock);
        }
    }

    /** The digest if it is already kept, without computing it. */
    public String keptOrNull(FileContent content) {
        try {
            return kept(content.digestKey());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String kept(String key) throws IOException {
        Path file = dir.resolve(key);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        return SHA256.matcher(text).matches() ? text : null;
    }

    private static String compute(FileContent content) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha256)) {
            content.write(out, 0, content.size());
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** Written to a temporary file and renamed: a reader never sees half a digest. */
    private void keep(String key, String digest) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".digest-", ".tmp");
        try {
            Files.writeString(tmp, digest + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, dir.resolve(key), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(key), StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
