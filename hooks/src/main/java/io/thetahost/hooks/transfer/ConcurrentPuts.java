package io.thetahost.hooks.transfer;

import io.thetahost.codec.encode.SpillBuffer;
import io.thetahost.codec.format.DecodeLimits;
import io.thetahost.codec.format.EncodingReader;
import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.hooks.memory.MemoryBudget;
import io.thetahost.protocol.io.Futures;
import io.thetahost.protocol.transfer.ObjectBody;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Verifies and stores one upload's objects on the daemon's verifying threads while the request's thread reads the next
 * object off the wire, so that a push uses more than one core and the network and the decoder overlap. Each object is
 * copied whole into a {@link SpillBuffer} (in memory up to the chunk size, on disk beyond) before it is verified, and
 * at most {@link #IN_FLIGHT} objects of one upload are verified at a time; a patch waits for the objects before it
 * (its base may be one of them). Memory: each holds its share of the
 * daemon's budget from before its copy until it is stored, as the sequential upload did while it decoded.
 */
final class ConcurrentPuts implements AutoCloseable {
    /** Objects of one upload being verified at once; the next is read meanwhile. */
    static final int IN_FLIGHT = 2;

    /** Verifies one object, copied, and says what became of it. */
    @FunctionalInterface
    interface Verifier<T> {
        T verify(InputStream encoding) throws IOException;
    }

    private static final ExecutorService VERIFIERS = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), new java.util.concurrent.ThreadFactory() {
                private final AtomicInteger count = new AtomicInteger();

                @Override
                public Thread newThread(Runnable r) {
                    Thread t = new Thread(r, "thetahost-verify-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }
            });

    private final long chunkBytes;
    private final ArrayDeque<Future<?>> running = new ArrayDeque<>();

    ConcurrentPuts(long chunkBytes) {
        this.chunkBytes = chunkBytes;
    }

    /**
     * Copies the object's body (reading it to its end) and verifies it in the background under {@code share}, which
     * is closed when it is done. Waits first while {@link #IN_FLIGHT} objects are being verified.
     */
    <T> Future<T> submit(ObjectBody body, MemoryBudget.Share share, Verifier<T> verifier) throws IOException {
        SpillBuffer copy;
        try {
            waitForRoom();
            copy = SpillBuffer.expecting(body.remaining(), chunkBytes);
        } catch (RuntimeException | Error e) {
            share.close();
            throw e;
        }
        try {
            body.transferTo(copy);
            if (isPatch(copy)) {
                // Its base may be an object of this upload still being verified: the patch waits for them all, as
                // the protocol lets a request hold a base before its patches.
                awaitAll();
            }
        } catch (IOException | RuntimeException e) {
            copy.close();
            share.close();
            throw e;
        }
        Future<T> result = VERIFIERS.submit(() -> {
            try (share; copy; InputStream in = copy.open()) {
                return verifier.verify(in);
            }
        });
        running.addLast(result);
        return result;
    }

    /** Whether the encoding names a base; one whose header does not parse is left to the verifier to refuse. */
    private static boolean isPatch(SpillBuffer encoding) throws IOException {
        try (InputStream in = encoding.open()) {
            return new EncodingReader(in, DecodeLimits.defaults()).header().base() != null;
        } catch (InvalidEncodingException e) {
            return false;
        }
    }

    private void awaitAll() {
        waitUntilAtMost(0);
    }

    private void waitForRoom() {
        running.removeIf(Future::isDone);
        waitUntilAtMost(IN_FLIGHT - 1);
    }

    /** Waits, oldest first, until at most {@code count} objects are being verified. */
    private void waitUntilAtMost(int count) {
        while (running.size() > count) {
            try {
                await(running.removeFirst());
            } catch (IOException | RuntimeException e) {
                // Its outcome is the upload's to report, in order.
            }
        }
    }

    /** A verifier's outcome; its exception is rethrown as it was thrown. */
    static <T> T await(Future<T> f) throws IOException {
        return Futures.await(f, "an upload was verified");
    }

    /** Waits for the objects still being verified (each closes its own share and copy). */
    @Override
    public void close() {
        awaitAll();
    }
}
