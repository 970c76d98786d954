package io.thetahost.client.filter;

import io.thetahost.client.store.LocalStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The tensor store opened on a thread of its own while the filter reads git's first request and parses its
 * manifest: opening RocksDB (about 80 ms) and parsing a manifest (about 60 ms, cold) then overlap, and a checkout's
 * first bytes reach git sooner. Only the first file's store is opened ahead: the store is held for one file at a
 * time, so that the merge and diff drivers git runs between files can open it, and a store opened ahead that the
 * first file did not need is closed once that file is answered.
 */
final class StoreOpening {
    /** How the store is opened (ThetaRepository::openStore). */
    interface Opener {
        LocalStore open() throws IOException;
    }

    private final Opener opener;
    private CompletableFuture<LocalStore> ahead;

    private StoreOpening(Opener opener, CompletableFuture<LocalStore> ahead) {
        this.opener = opener;
        this.ahead = ahead;
    }

    /** Starts opening the store for the first file. */
    static StoreOpening start(Opener opener) {
        CompletableFuture<LocalStore> ahead = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                ahead.complete(opener.open());
            } catch (IOException | RuntimeException e) {
                ahead.completeExceptionally(e);
            }
        }, "theta-store-open");
        thread.setDaemon(true);
        thread.start();
        return new StoreOpening(opener, ahead);
    }

    /** The store, for one file: the one opened ahead the first time, else opened now. The caller closes it. */
    LocalStore open() throws IOException {
        if (ahead == null) {
            return opener.open();
        }
        CompletableFuture<LocalStore> opened = ahead;
        ahead = null;
        try {
            return opened.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            opened.thenAccept(LocalStore::close);
            throw new InterruptedIOException("interrupted while the tensor store was opened");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(cause);
        }
    }

    /** After each file: a store opened ahead that the file did not take is closed (as soon as it is open). */
    void fileDone() {
        if (ahead != null) {
            ahead.thenAccept(LocalStore::close);
            ahead = null;
        }
    }
}
