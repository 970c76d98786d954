package io.thetahost.objectdb.store;

import io.thetahost.protocol.io.NativeLibraryCache;
import java.io.IOException;
import java.util.List;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's native library from a copy kept in the user's cache ({@link NativeLibraryCache}): its own
 * {@code RocksDB.loadLibrary()} copies the 15 MB library into a new temporary file at every start, a fifth of a
 * second before a filter's first byte. Where the cache cannot be used, RocksDB's own way is.
 */
final class RocksNativeLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(RocksNativeLibrary.class);

    private RocksNativeLibrary() {
    }

    static void load() {
        try {
            String name = Environment.getJniLibraryFileName("rocksdb");
            // The name RocksDB.loadLibrary(paths) loads from each folder: its loader appends "jni" to the name it
            // passes, so it looks for librocksdbjnijni-linux64.so, not the jar's librocksdbjni-linux64.so. Kept under
            // the jar's name, the copy was never found, and every start extracted the library after all.
            String loadedName = Environment.getJniLibraryFileName("rocksdbjni");
            RocksDB.loadLibrary(List.of(NativeLibraryCache.copyOut(RocksDB.class, name::equals, loadedName)
                    .getParent().toString()));
            return;
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            LOG.debug("RocksDB's library could not be loaded from the cache; extracting it to a temporary file", e);
        }
        RocksDB.loadLibrary();
    }
}
