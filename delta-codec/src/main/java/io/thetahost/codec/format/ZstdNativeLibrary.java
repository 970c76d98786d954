package io.thetahost.codec.format;

import com.github.luben.zstd.util.Native;
import io.thetahost.protocol.io.NativeLibraryCache;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Loads zstd-jni's native library from a copy kept in the user's cache ({@link NativeLibraryCache}): zstd-jni's own
 * loader copies it (1 MB) into a new temporary file at every start, 40 ms before a checkout's first byte in a trace,
 * and leaves it behind when the process is killed. Linux only, where theta's launchers run; elsewhere, or when the
 * cache cannot be used, zstd-jni loads itself on first use as before.
 */
final class ZstdNativeLibrary {
    private ZstdNativeLibrary() {
    }

    static synchronized void load() {
        if (Native.isLoaded() || !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return;
        }
        // zstd-jni's own layout: linux/ARCH/libzstd-jni-VERSION.so
        String folder = "linux/" + System.getProperty("os.arch", "") + "/";
        try {
            Path lib = NativeLibraryCache.copyOut(Native.class,
                    name -> name.startsWith(folder + "libzstd-jni") && name.endsWith(".so")
                            && name.indexOf('/', folder.length()) < 0, "libzstd-jni.so");
            System.load(lib.toString());
            Native.assumeLoaded();
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            Logger.getLogger(ZstdNativeLibrary.class.getName()).log(Level.FINE,
                    "zstd-jni's library could not be loaded from the cache; it extracts its own", e);
        }
    }
}
