package io.thetahost.client.store;

import io.thetahost.codec.encode.SpillBuffer;
import io.thetahost.protocol.io.Futures;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Encodes and stores tensors on worker threads while the caller reads the next one from git's pipe, so that reading,
 * hashing, compressing and verifying use every core. Memory is bounded here: the caller reserves a tensor's weight
 * (what encoding and storing it may hold) before it reads the tensor, and gets it back when the job ends, so the
 * tensors in flight never hold more than the budget. A reservation larger than the budget takes all of it: one tensor
 * at a time then, never a deadlock.
 */
final class StoreWorkers implements AutoCloseable {
    /** Permits count KiB, so the budget may pass 2 GiB. */
    private static final int UNIT = 1024;

    /** Stores one tensor from the bytes held for it. */
    @FunctionalInterface
    interface Job {
        void run(SpillBuffer bytes) throws IOException;
    }

    /** A tensor's bytes copied off a stream, and the memory reserved for storing them: released together. */
    final class Held implements AutoCloseable {
        private final Reservation reservation;
        private final SpillBuffer bytes;

        private Held(Reservation reservation, SpillBuffer bytes) {
            this.reservation = reservation;
            this.bytes = bytes;
        }

        long size() {
            return bytes.size();
        }

        @Override
        public void close() throws IOException {
            try {
                bytes.close();
            } finally {
                reservation.close();
            }
        }
    }

    /** Memory reserved for one tensor. */
    private final class Reservation implements AutoCloseable {
        private final int units;
        private boolean released;

        private Reservation(int units) {
            this.units = units;
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                memory.release(units);
            }
        }
    }

    private final int budgetUnits;
    private final Semaphore memory;
    private final ExecutorService pool;
    private final List<Future<?>> jobs = new ArrayList<>();

    /**
     * @param threads worker threads (at least 1)
     * @param budgetBytes what the tensors in flight may hold together
     */
    StoreWorkers(int threads, long budgetBytes) {
        this.budgetUnits = (int) Math.max(1, Math.min(Integer.MAX_VALUE, budgetBytes / UNIT));
        this.memory = new Semaphore(budgetUnits, true);
        AtomicInteger count = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "theta-store-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Reserves {@code weight} of the budget, then copies {@code in} to its end (about {@code length} bytes; in memory
     * up to {@code memoryLimit}, on disk beyond). The caller submits what it holds, or closes it.
     */
    Held hold(long weight, InputStream in, long length, long memoryLimit) throws IOException {
        Held held = new Held(reserve(weight), SpillBuffer.expecting(length, memoryLimit));
        try {
            in.transferTo(held.bytes);
            return held;
        } catch (IOException | RuntimeException | Error e) {
            held.close();
            throw e;
        }
    }

    /** Waits until {@code bytes} of the budget are free (all of it if more), failing early if a job failed. */
    private Reservation reserve(long bytes) throws IOException {
        throwIfFailed();
        int units = (int) Math.min(budgetUnits, Math.max(1, (bytes + UNIT - 1) / UNIT));
        try {
            memory.acquire(units);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for memory to store a tensor");
        }
        return new Reservation(units);
    }

    /** Runs the job on a worker; what it holds is released when it ends, however it ends. */
    void submit(Held held, Job job) throws IOException {
        try {
            throwIfFailed();
        } catch (IOException | RuntimeException | Error e) {
            held.close();
            throw e;
        }
        jobs.add(pool.submit(() -> {
            try (held) {
                job.run(held.bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return null;
        }));
    }

    /** Waits for every job, and throws the first failure. */
    void finish() throws IOException {
        for (Future<?> job : jobs) {
            await(job);
        }
        jobs.clear();
    }

    private void throwIfFailed() throws IOException {
        for (Future<?> job : jobs) {
            if (job.isDone()) {
                await(job);
            }
        }
        jobs.removeIf(Future::isDone);
    }

    private static void await(Future<?> job) throws IOException {
        Futures.await(job, "storing tensors");
    }

    /** Stops the workers once the jobs submitted have ended (each cleans up after itself). */
    @Override
    public void close() {
        pool.shutdown();
        try {
            pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
