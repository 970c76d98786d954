package io.thetahost.objectdb.read;

import io.thetahost.codec.format.ScratchArrays;
import io.thetahost.protocol.manifest.TensorSource;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tensor source that decodes the tensors a checkpoint will ask for next on worker threads while the current one is
 * written (a checkout by theta's filter, a download from the server), so that decompressing, applying patches and hashing use every core. Tensors are asked for in a known order
 * (the manifest's); a worker decodes each one into a {@link Pipe} that holds at most {@code bytesAhead} bytes, so
 * memory is bounded by the number of workers times that, whatever the tensors' sizes: a worker that is far ahead
 * waits for the writer.
 */
public final class ReadAhead implements TensorSource, AutoCloseable {
    /** Below G1's humongous size at the launcher's heap (half a 1 MiB region): blocks are ordinary young objects. */
    private static final int BLOCK = 256 << 10;

    /** One tensor, in the order it will be asked for. */
    public record Item(TensorId id, DType dtype, Shape shape) {
    }

    private final List<Item> order;
    private final TensorSource decoder;
    private final int threads;
    private final long bytesAhead;
    private final ExecutorService pool;
    private final SpareBlocks spares;
    private final ArrayDeque<Started> started = new ArrayDeque<>();
    private int next;

    private record Started(Item item, Pipe pipe) {
    }

    /**
     * @param order the tensors in the order {@link #open} will be called for them
     * @param decoder where a tensor's bytes come from (thread-safe)
     * @param threads decoding threads, and how many tensors are decoded ahead
     * @param bytesAhead the most each tensor decoded ahead holds in memory
     */
    public ReadAhead(List<Item> order, TensorSource decoder, int threads, long bytesAhead) {
        this.order = new ArrayList<>(order);
        this.decoder = decoder;
        this.threads = Math.max(1, threads);
        this.bytesAhead = Math.max(BLOCK, bytesAhead);
        this.spares = new SpareBlocks((int) Math.min(Integer.MAX_VALUE, this.bytesAhead / BLOCK));
        AtomicInteger count = new AtomicInteger();
        long scratch = this.bytesAhead;
        this.pool = Executors.newFixedThreadPool(this.threads, r -> {
            // A worker decodes one tensor after another: its decoding arrays serve the next tensor, up to
            // bytesAhead of them (a chunk, its sections, its compressed bytes and a piece), which that decoding
            // holds anyway while it runs.
            Thread t = new Thread(() -> {
                ScratchArrays.keepOnThisThread(scratch);
                r.run();
            }, "theta-decode-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The decoder's streams check each tensor against its id, and a failure reaches the reader at the end. */
    @Override
    public boolean verifiesIds() {
        return decoder.verifiesIds();
    }

    /**
     * The next tensor's bytes, decoded ahead; a tensor asked for out of order (or twice) is decoded here, on the
     * caller's thread, and the order is given up.
     */
    @Override
    public InputStream open(TensorId id, DType dtype, Shape shape) throws IOException {
        fill();
        Started head = started.peekFirst();
        if (head == null || !head.item().id().equals(id)) {
            cancelAll();
            next = order.size();
            return decoder.open(id, dtype, shape);
        }
        started.removeFirst();
        fill();
        return head.pipe().reader();
    }

    /** Starts decoding until {@code threads + 1} tensors are under way or done (one being written, the rest ahead). */
    private void fill() {
        while (started.size() <= threads && next < order.size()) {
            Item item = order.get(next++);
            Pipe pipe = new Pipe(bytesAhead, spares);
            started.addLast(new Started(item, pipe));
            pool.execute(() -> decode(item, pipe));
        }
    }

    private void decode(Item item, Pipe pipe) {
        try (InputStream in = decoder.open(item.id(), item.dtype(), item.shape())) {
            if (in == null) {
                pipe.fail(new IOException("no such tensor"));
                return;
            }
            while (true) {
                // Straight into one array (readNBytes(int) would gather 16 KiB pieces and copy them).
                byte[] block = spares.take();
                int n = in.readNBytes(block, 0, BLOCK);
                if (n > 0) {
                    pipe.put(n == BLOCK ? block : Arrays.copyOf(block, n));
                }
                if (n < BLOCK) {
                    break;
                }
            }
            pipe.end();
        } catch (Pipe.Closed closed) {
            // The writer gave up on this tensor.
        } catch (IOException | RuntimeException e) {
            pipe.fail(e);
        } catch (Error e) {
            // An error ends this worker's thread: the writer waiting on the pipe must hear of it, or it waits forever.
            pipe.fail(new IOException("decoding tensor " + item.id() + " failed: " + e, e));
            throw e;
        }
    }

    private void cancelAll() {
        for (Started s : started) {
            s.pipe().close();
        }
        started.clear();
    }

    @Override
    public void close() {
        cancelAll();
        pool.shutdownNow();
        spares.clear();
    }

    /**
     * Blocks the writer has copied out, for the workers to fill again rather than allocate and zero new ones: every
     * tensor's pipe is new, and blocks kept per pipe left each tensor allocating its own (a gigabyte of blocks per
     * gigabyte checked out). Shared by the pipes; at most one pipe's capacity ({@code bytesAhead}), which is what
     * this adds to the bound on memory.
     */
    static final class SpareBlocks {
        private final ArrayDeque<byte[]> blocks = new ArrayDeque<>();
        private final int max;

        SpareBlocks(int max) {
            this.max = max;
        }

        /** A block of {@link #BLOCK} bytes to fill, every one of which the filler overwrites or leaves unread. */
        synchronized byte[] take() {
            byte[] block = blocks.pollFirst();
            return block != null ? block : new byte[BLOCK];
        }

        synchronized void giveBack(byte[] block) {
            if (block.length == BLOCK && blocks.size() < max) {
                blocks.addLast(block);
            }
        }

        synchronized void clear() {
            blocks.clear();
        }
    }

    /**
     * Blocks handed from one decoding worker to the writer, at most {@code capacity} bytes at a time. The writer reads
     * them as a stream; the worker's failure is the reader's, and closing the reader stops the worker.
     */
    static final class Pipe {
        /** Thrown to a worker whose reader went away. */
        static final class Closed extends RuntimeException {
            Closed() {
                super("the reader closed the pipe", null, false, false);
            }
        }

        private final long capacity;
        private final SpareBlocks spares;
        private final ArrayDeque<byte[]> blocks = new ArrayDeque<>();
        private long held;
        private boolean ended;
        private boolean closed;
        private Exception failure;

        private static final byte[] NONE = new byte[0];

        Pipe(long capacity, SpareBlocks spares) {
            this.capacity = capacity;
            this.spares = spares;
        }

        /** The reader is done with {@code block}. */
        private void giveBack(byte[] block) {
            spares.giveBack(block);
        }

        synchronized void put(byte[] block) {
            while (!closed && held > 0 && held + block.length > capacity) {
                waitHere();
            }
            if (closed) {
                throw new Closed();
            }
            blocks.addLast(block);
            held += block.length;
            notifyAll();
        }

        synchronized void end() {
            ended = true;
            notifyAll();
        }

        synchronized void fail(Exception e) {
            failure = e;
            notifyAll();
        }

        synchronized void close() {
            closed = true;
            blocks.clear();
            held = 0;
            notifyAll();
        }

        /** The next block, or null at the end. */
        private synchronized byte[] take() throws IOException {
            while (blocks.isEmpty() && !ended && failure == null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while a tensor was decoded");
                }
            }
            if (!blocks.isEmpty()) {
                byte[] block = blocks.removeFirst();
                held -= block.length;
                notifyAll();
                return block;
            }
            if (failure != null) {
                throw failure instanceof IOException io ? io : new IOException(failure.getMessage(), failure);
            }
            return null;
        }

        private void waitHere() {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Closed();
            }
        }

        InputStream reader() {
            return new InputStream() {
                private byte[] current = NONE;
                private int offset;
                private boolean done;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (len == 0) {
                        return 0;
                    }
                    while (offset == current.length) {
                        if (done) {
                            return -1;
                        }
                        if (current.length > 0) {
                            giveBack(current);
                            current = NONE;
                        }
                        byte[] block = take();
                        if (block == null) {
                            done = true;
                            return -1;
                        }
                        current = block;
                        offset = 0;
                    }
                    int n = Math.min(len, current.length - offset);
                    System.arraycopy(current, offset, b, off, n);
                    offset += n;
                    return n;
                }

                @Override
                public void close() {
                    Pipe.this.close();
                }
            };
        }
    }
}
