package io.thetahost.objectdb.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's native library from a copy kept in the user's cache ({@code $XDG_CACHE_HOME}, else
 * {@code $HOME/.cache}, then {@code thetahost/native/}), written once per version of the RocksDB jar.
 *
 * <p>Why: {@code RocksDB.loadLibrary()} copies the 15 MB library out of its jar into a new temporary file at every
 * start, a fifth of a second before a filter's first byte, and a process killed before its exit hook leaves that
 * file in /tmp for good (a machine here held 214 of them, 3 GB). Where the cache cannot be written or loaded from,
 * RocksDB's own way is used.
 */
final class RocksNativeLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(RocksNativeLibrary.class);

    private RocksNativeLibrary() {
    }

    static void load() {
        try {
            Path dir = cachedCopy();
            RocksDB.loadLibrary(List.of(dir.toString()));
            return;
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            LOG.debug("RocksDB's library could not be loaded from the cache; extracting it to a temporary file", e);
        }
        RocksDB.loadLibrary();
    }

    /** The folder holding the library for this RocksDB jar, the library copied there first if missing. */
    static Path cachedCopy() throws IOException {
        Path jar;
        try {
            jar = Path.of(RocksDB.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("cannot tell where RocksDB's jar is", e);
        }
        if (!Files.isRegularFile(jar)) {
            throw new IOException("RocksDB's classes are not in a jar: " + jar);
        }
        String name = Environment.getJniLibraryFileName("rocksdb");
        // The name RocksDB.loadLibrary(paths) loads from each folder: its loader appends "jni" to the name it passes,
        // so it looks for librocksdbjnijni-linux64.so, not the jar's librocksdbjni-linux64.so. Kept under the jar's
        // name, the copy was never found, and every start extracted the library to the temporary folder after all.
        String loadedName = Environment.getJniLibraryFileName("rocksdbjni");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(name);
            if (entry == null || entry.getSize() < 0) {
                throw new IOException(jar + " holds no " + name);
            }
            // One folder per jar (its name and size): another RocksDB version never loads this copy.
            Path dir = cacheRoot().resolve(jar.getFileName() + "-" + Files.size(jar));
            Path lib = dir.resolve(loadedName);
            if (Files.isRegularFile(lib) && Files.size(lib) == entry.getSize()) {
                return dir;
            }
            Files.createDirectories(dir);
            // Written aside and renamed into place: a process that loads it never sees half a library, and two
            // that copy it at once each rename a whole one.
            Path partial = Files.createTempFile(dir, name, ".partial");
            try {
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                }
                if (Files.size(partial) != entry.getSize()) {
                    throw new IOException("copied " + Files.size(partial) + " of " + entry.getSize() + " bytes of "
                            + name);
                }
                Files.move(partial, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(partial);
            }
            return dir;
        }
    }

    private static Path cacheRoot() throws IOException {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base;
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            base = Path.of(xdg);
        } else {
            // $HOME as git and the shell see it (Java's user.home is the password file's).
            String home = System.getenv("HOME");
            if (home == null || home.isBlank()) {
                home = System.getProperty("user.home");
            }
            if (home == null || home.isBlank() || home.equals("?")) {
                throw new IOException("no home folder to keep a cache in");
            }
            base = Path.of(home, ".cache");
        }
        return base.resolve("thetahost").resolve("native");
    }
}
