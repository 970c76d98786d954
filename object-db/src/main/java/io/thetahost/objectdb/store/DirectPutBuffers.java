package io.thetahost.objectdb.store;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers that large values (pieces) are handed to RocksDB in, which it reads in place. From a byte array,
 * RocksJava copies each value into a fresh native allocation first; those 4 MiB allocations left malloc's arenas
 * holding tens of MiB each: a git add of 1 GiB peaked at 335-346 MiB resident with them and at 312 MiB without.
 * At most {@link #BUFFERS} buffers exist, each as large as the largest value it held; a writer that finds none free
 * uses the byte array path, so memory stays at {@code BUFFERS} pieces whatever the number of writers.
 */
final class DirectPutBuffers {
    /** Values from this size on go through a direct buffer. */
    static final int MIN_VALUE_BYTES = 64 << 10;
    /**
     * Values above this size (a store configured with pieces larger than the default 4 MiB) take the byte array path:
     * four buffers then stay within 32 MiB, well inside the launchers' 128 MiB of direct memory.
     */
    static final int MAX_VALUE_BYTES = 8 << 20;
    /** The client's writers (one per core, up to 4) each find one. */
    static final int BUFFERS = 4;

    private final ArrayBlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
    private final AtomicInteger made = new AtomicInteger();

    /** Whether a value of this size goes through a direct buffer. */
    static boolean suits(int valueBytes) {
        return valueBytes >= MIN_VALUE_BYTES && valueBytes <= MAX_VALUE_BYTES;
    }

    /** A cleared buffer of at least {@code bytes}, or null when all are in use; give it back after the write. */
    ByteBuffer take(int bytes) {
        ByteBuffer b = free.poll();
        if (b == null) {
            if (made.incrementAndGet() > BUFFERS) {
                made.decrementAndGet();
                return null;
            }
            return ByteBuffer.allocateDirect(bytes);
        }
        if (b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect(bytes);
        }
        return b.clear();
    }

    void give(ByteBuffer b) {
        free.offer(b);
    }
}
