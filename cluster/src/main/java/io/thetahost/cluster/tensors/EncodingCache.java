package io.thetahost.cluster.tensors;

import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Encodings kept on the front's disk, so that the bases a chain is decoded against (read again for every patch on
 * them) are not downloaded again each time. One file per object, named after its key: objects are never changed
 * under a key, so an entry is never stale. At most {@code maxBytes} in the directory, least recently used out first;
 * downloads being written count against the bound from their start (the space is reserved), so the directory holds
 * no more than the bound at any moment. An encoding larger than the whole cache is not kept.
 *
 * <p>Only what may be lost: an entry is written to a temporary file and renamed into place once it holds exactly
 * the object's length, and an entry is served only when its file has the length the tensor's row gives, so a file
 * cut short (by a crash, a full disk, a person) is a miss, never read. Its content is checked further where it is
 * decoded: against the tensor's id. One cache per directory: the directory is the store's alone.
 */
final class EncodingCache {
    private static final String TEMP_PREFIX = ".filling-";
    private static final Pattern SAFE_KEY = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");

    private final Path dir;
    private final long maxBytes;
    /** File name to length, least recently used first. Guarded by {@code this}. */
    private final LinkedHashMap<String, Long> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long entryBytes;
    private long reservedBytes;

    /**
     * Opens the cache in {@code dir}, creating it, deleting what unfinished downloads left and keeping the entries
     * found (oldest first out), within the bound.
     */
    EncodingCache(Path dir, long maxBytes) throws IOException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("cache size " + maxBytes + " is negative");
        }
        this.dir = dir;
        this.maxBytes = maxBytes;
        Files.createDirectories(dir);
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (f.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    Files.deleteIfExists(f);
                } else if (Files.isRegularFile(f)) {
                    found.add(f);
                }
            }
        }
        found.sort(Comparator.comparing(EncodingCache::modified));
        synchronized (this) {
            for (Path f : found) {
                long size = Files.size(f);
                entries.put(f.getFileName().toString(), size);
                entryBytes += size;
            }
            evictUntilFree(0);
        }
    }

    private static long modified(Path f) {
        try {
            return Files.readAttributes(f, BasicFileAttributes.class).lastModifiedTime().toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The cached encoding of the object, if there is one of exactly {@code length} bytes; a cached file of another
     * length is dropped.
     */
    Optional<InputStream> open(String objectKey, long length) {
        String name = fileName(objectKey);
        if (name == null) {
            return Optional.empty();
        }
        synchronized (this) {
            if (entries.get(name) == null) {
                return Optional.empty();
            }
        }
        Path file = dir.resolve(name);
        try {
            InputStream in = Files.newInputStream(file);
            // Checked on the open file: an eviction may delete the name now, but not what this stream reads.
            if (Files.size(file) == length) {
                return Optional.of(in);
            }
            in.close();
        } catch (NoSuchFileException e) {
            // Evicted meanwhile, or the directory was emptied: a miss.
        } catch (IOException e) {
            // Unreadable: a miss, and the entry goes.
        }
        remove(objectKey);
        return Optional.empty();
    }

    /**
     * {@code source} (the object's bytes from the store), copied into a new entry as it is read. The entry is kept
     * only if exactly {@code length} bytes passed and the stream was read to its end or closed there; a failure to
     * write the copy only means it is not kept. Memory: a 64 KiB write buffer.
     */
    InputStream filling(String objectKey, long length, InputStream source) {
        String name = fileName(objectKey);
        if (name == null || !reserve(length)) {
            return source;
        }
        Path temp;
        OutputStream out;
        try {
            temp = Files.createTempFile(dir, TEMP_PREFIX, "");
            out = new BufferedOutputStream(Files.newOutputStream(temp), 64 << 10);
        } catch (IOException e) {
            release(length);
            return source;
        }
        return new Filling(source, name, length, temp, out);
    }

    /** Drops the object's entry (gc deleted the object). */
    void remove(String objectKey) {
        String name = fileName(objectKey);
        if (name == null) {
            return;
        }
        synchronized (this) {
            Long size = entries.remove(name);
            if (size != null) {
                entryBytes -= size;
            }
            deleteQuietly(dir.resolve(name));
        }
    }

    /** Bytes in entries and in downloads being written. */
    synchronized long bytes() {
        return entryBytes + reservedBytes;
    }

    private synchronized boolean reserve(long length) {
        if (length > maxBytes) {
            return false;
        }
        evictUntilFree(length);
        reservedBytes += length;
        return true;
    }

    private synchronized void release(long length) {
        reservedBytes -= length;
    }

    /** Renames a complete download into place; on failure its reservation stays for the caller to release. */
    private synchronized void install(String name, long length, Path temp) throws IOException {
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        reservedBytes -= length;
        Long replaced = entries.put(name, length);
        entryBytes += length - (replaced == null ? 0 : replaced);
    }

    /** Evicts the least recently used entries until {@code wanted} more bytes fit. Holds {@code this}. */
    private void evictUntilFree(long wanted) {
        Iterator<Map.Entry<String, Long>> oldest = entries.entrySet().iterator();
        while (entryBytes + reservedBytes + wanted > maxBytes && oldest.hasNext()) {
            Map.Entry<String, Long> e = oldest.next();
            // Readers of the file keep reading what they opened: only its name goes.
            deleteQuietly(dir.resolve(e.getKey()));
            entryBytes -= e.getValue();
            oldest.remove();
        }
    }

    /** The entry's file name, or null for a key that does not make a safe one (never for this store's keys). */
    private static String fileName(String objectKey) {
        return SAFE_KEY.matcher(objectKey).matches() ? objectKey.replace('/', '_') : null;
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            // A file that cannot be deleted is not served either: it is no longer an entry.
        }
    }

    /** Copies what is read into the temporary file; installs it at the end if every byte came. */
    private final class Filling extends FilterInputStream {
        private final String name;
        private final long length;
        private final Path temp;
        private OutputStream out;
        private long copied;

        Filling(InputStream source, String name, long length, Path temp, OutputStream out) {
            super(source);
            this.name = name;
            this.length = length;
            this.temp = temp;
            this.out = out;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0 && out != null) {
                try {
                    out.write(b, off, n);
                    copied += n;
                } catch (IOException e) {
                    abandon();
                }
            } else if (n < 0) {
                finish();
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipped bytes must reach the copy too.
            byte[] scratch = new byte[(int) Math.min(Math.max(n, 0), 8192)];
            long skipped = 0;
            while (skipped < n) {
                int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public void close() throws IOException {
            try {
                finish();
            } finally {
                super.close();
            }
        }

        private void finish() {
            if (out == null) {
                return;
            }
            if (copied != length) {
                abandon();
                return;
            }
            OutputStream o = out;
            out = null;
            try {
                o.close();
                install(name, length, temp);
            } catch (IOException e) {
                release(length);
                deleteQuietly(temp);
            }
        }

        private void abandon() {
            if (out == null) {
                return;
            }
            OutputStream o = out;
            out = null;
            try {
                o.close();
            } catch (IOException e) {
                // The copy is dropped anyway.
            }
            deleteQuietly(temp);
            release(length);
        }
    }
}
