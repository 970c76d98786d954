package io.thetahost.client.repository;

import io.thetahost.client.store.LocalStore;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;

/**
 * A download of a checkpoint's missing tensors on a thread of its own, so that a checkout writes each tensor as soon
 * as the local store holds it (downloaded, checked against its id, stored) while later ones still download: the
 * writing and the download overlap instead of following each other. Nothing is written that was not verified first:
 * a writer asks {@link #awaitStored} before it reads a tensor from the store.
 */
public final class BackgroundFetch implements AutoCloseable {
    /** How long a waiting writer sleeps between looks at the store when no tensor arrived meanwhile. */
    private static final long POLL_MILLIS = 20;

    /** Runs the download: what {@link ThetaRepository#fetchMissing} does, on this fetch's thread. */
    interface Download {
        void run() throws IOException;
    }

    private final LocalStore local;
    private final Runnable abort;
    private final Thread thread;
    private final Object arrivals = new Object();
    private boolean ended;
    private Throwable failure;

    private BackgroundFetch(LocalStore local, Runnable abort, Download download) {
        this.local = local;
        this.abort = abort;
        this.thread = download == null ? null : new Thread(() -> run(download), "theta-fetch");
        if (thread == null) {
            ended = true;
        } else {
            thread.setDaemon(true);
        }
    }

    /** A fetch with nothing to download: every tensor is stored here already. */
    static BackgroundFetch nothingToFetch(LocalStore local) {
        return new BackgroundFetch(local, () -> { }, null);
    }

    /**
     * Starts {@code download} now.
     *
     * @param abort ends the download from another thread (its exchange is closed, so its reader fails)
     */
    static BackgroundFetch start(LocalStore local, Runnable abort, Download download) {
        BackgroundFetch fetch = new BackgroundFetch(local, abort, download);
        fetch.thread.start();
        return fetch;
    }

    private void run(Download download) {
        Throwable failed = null;
        try {
            download.run();
        } catch (IOException | RuntimeException | Error e) {
            failed = e;
        } finally {
            synchronized (arrivals) {
                ended = true;
                failure = failed;
                arrivals.notifyAll();
            }
        }
    }

    /**
     * Returns once the tensor is in the local store (at once if it was).
     *
     * @throws IOException the download's failure, if it failed before storing this tensor; or that it ended without it
     */
    public void awaitStored(TensorId id) throws IOException {
        while (!local.has(id)) {
            synchronized (arrivals) {
                if (ended) {
                    if (local.has(id)) {
                        return;
                    }
                    throw failure != null ? failed() : new IOException("tensor " + id + " was not downloaded");
                }
                try {
                    arrivals.wait(POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for tensor " + id);
                }
            }
        }
    }

    /** Whether the download has ended, either way. */
    public boolean ended() {
        synchronized (arrivals) {
            return ended;
        }
    }

    /** Waits for the download to end, and throws its failure if it failed. */
    public void finish() throws IOException {
        join();
        synchronized (arrivals) {
            if (failure != null) {
                throw failed();
            }
        }
    }

    private IOException failed() {
        if (failure instanceof IOException e) {
            return e;
        }
        if (failure instanceof UncheckedIOException e) {
            return e.getCause();
        }
        return new IOException(failure.getMessage(), failure);
    }

    private void join() throws IOException {
        if (thread == null) {
            return;
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the download");
        }
    }

    /** Ends the download if it still runs (the writer failed: what is still to come is not needed), and waits. */
    @Override
    public void close() throws IOException {
        if (!ended()) {
            abort.run();
        }
        join();
    }
}
