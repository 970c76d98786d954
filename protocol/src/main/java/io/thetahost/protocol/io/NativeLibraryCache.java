package io.thetahost.protocol.io;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Copies of native libraries taken out of the jars that carry them, kept in the user's cache
 * ({@code $XDG_CACHE_HOME}, else {@code $HOME/.cache}, then {@code thetahost/native/}), written once per jar.
 *
 * <p>Why: RocksDB's and zstd-jni's own loaders copy their library out of the jar into a new temporary file at every
 * start (15 MB and 1 MB, before a filter's first byte), and a process killed before its exit hook leaves that file in
 * /tmp for good (a machine here held 214 of RocksDB's, 3 GB). Callers fall back on the library's own loader when the
 * cache cannot be written or loaded from.
 */
public final class NativeLibraryCache {
    private NativeLibraryCache() {
    }

    /**
     * The cached copy of the first entry that {@code entry} accepts, in the jar that holds {@code inJarOf}, copied
     * there first if missing, under the name {@code fileName}.
     */
    public static Path copyOut(Class<?> inJarOf, Predicate<String> entry, String fileName) throws IOException {
        Path jar;
        try {
            jar = Path.of(inJarOf.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("cannot tell where " + inJarOf.getName() + "'s jar is", e);
        }
        if (!Files.isRegularFile(jar)) {
            throw new IOException(inJarOf.getName() + " is not in a jar: " + jar);
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry library = zip.stream().filter(e -> !e.isDirectory() && entry.test(e.getName())).findFirst()
                    .orElseThrow(() -> new IOException(jar + " holds no native library for this platform"));
            if (library.getSize() < 0) {
                throw new IOException(jar + " does not say the size of " + library.getName());
            }
            // One folder per jar (its name and size): another version never loads this copy.
            Path dir = cacheRoot().resolve(jar.getFileName() + "-" + Files.size(jar));
            Path lib = dir.resolve(fileName);
            if (Files.isRegularFile(lib) && Files.size(lib) == library.getSize()) {
                return lib;
            }
            Files.createDirectories(dir);
            // Written aside and renamed into place: a process that loads it never sees half a library, and two
            // that copy it at once each rename a whole one.
            Path partial = Files.createTempFile(dir, fileName, ".partial");
            try {
                try (InputStream in = zip.getInputStream(library)) {
                    Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                }
                if (Files.size(partial) != library.getSize()) {
                    throw new IOException("copied " + Files.size(partial) + " of " + library.getSize() + " bytes of "
                            + library.getName());
                }
                Files.move(partial, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(partial);
            }
            return lib;
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
