package io.thetahost.codec.format;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Large arrays a decoding thread gives back when a tensor is done, for its next tensor to fill again. Decoding a
 * tensor takes an array for its chunk, one per section and one for the compressed bytes, megabytes each; new for every
 * tensor, they cost a checkout of a 1 GiB checkpoint about 3 GB of allocating and zeroing (G1 allocates arrays this
 * large as humongous objects, outside the young generation).
 *
 * <p>Only threads that ask ({@link #keepOnThisThread}) keep arrays, up to the bytes they name: a thread that decodes
 * one tensor after another, such as a checkout's read-ahead worker. Elsewhere (the daemon's many request threads)
 * {@link #take} allocates and {@link #giveBack} drops, as before. An array given back must no longer be referenced:
 * streams give back theirs when closed.
 */
public final class ScratchArrays {
    /** Arrays one thread keeps, at most: a chunk, two sections and the compressed bytes. */
    private static final int MAX_ARRAYS = 4;
    private static final ThreadLocal<Kept> KEPT = new ThreadLocal<>();

    private ScratchArrays() {
    }

    private static final class Kept {
        final long maxBytes;
        final ArrayDeque<byte[]> arrays = new ArrayDeque<>();
        long bytes;

        Kept(long maxBytes) {
            this.maxBytes = maxBytes;
        }
    }

    /** From now on this thread keeps arrays given back, at most {@code maxBytes} of them. */
    public static void keepOnThisThread(long maxBytes) {
        KEPT.set(new Kept(maxBytes));
    }

    /** Drops the arrays this thread keeps, and keeps none from now on. */
    public static void stopKeeping() {
        KEPT.remove();
    }

    /** An array of exactly {@code length} bytes, whose contents are unspecified. */
    public static byte[] takeExactly(int length) {
        return take(length, true);
    }

    /** An array of at least {@code length} bytes, whose contents are unspecified. */
    public static byte[] takeAtLeast(int length) {
        return take(length, false);
    }

    private static byte[] take(int length, boolean exactly) {
        Kept kept = KEPT.get();
        if (kept != null) {
            byte[] best = null;
            for (byte[] a : kept.arrays) {
                if (a.length == length) {
                    best = a;
                    break;
                }
                if (!exactly && a.length > length && (best == null || a.length < best.length)) {
                    best = a;
                }
            }
            if (best != null) {
                removeIdentical(kept, best);
                return best;
            }
        }
        return new byte[length];
    }

    /** Gives an array back; the caller no longer references it. */
    public static void giveBack(byte[] array) {
        Kept kept = KEPT.get();
        if (kept == null || array == null || array.length == 0 || array.length > kept.maxBytes) {
            return;
        }
        for (byte[] a : kept.arrays) {
            if (a == array) {
                return;
            }
        }
        kept.arrays.addLast(array);
        kept.bytes += array.length;
        while (kept.arrays.size() > MAX_ARRAYS || kept.bytes > kept.maxBytes) {
            kept.bytes -= kept.arrays.removeFirst().length;
        }
    }

    private static void removeIdentical(Kept kept, byte[] array) {
        for (Iterator<byte[]> it = kept.arrays.iterator(); it.hasNext(); ) {
            if (it.next() == array) {
                it.remove();
                kept.bytes -= array.length;
                return;
            }
        }
    }
}
