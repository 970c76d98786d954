package io.thetahost.codec.decode;

import io.thetahost.codec.encodings.ChunkApply;
import io.thetahost.codec.format.DecodeLimits;
import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.format.EncodingReader;
import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.codec.format.ScratchArrays;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An encoding's tensor as a stream of its raw bytes, decoded a chunk at a time as they are read. The last read
 * checks the id: a stream whose bytes do not hash to the id the encoding declares fails there, with
 * {@link InvalidEncodingException}, instead of ending. Memory: one chunk of the target, one of the base (itself
 * possibly such a stream), the shared sections, and the last chunk's sections and compressed bytes, which the next
 * chunk's are read into ({@link EncodingReader#nextChunk}).
 */
public final class DecodingStream extends InputStream {
    private final EncodingReader reader;
    private final EncodingHeader header;
    private final ChunkApply apply;
    private final InputStream base;
    private final TensorId.Hasher hasher;
    private final InputStream encoding;
    private long nextChunk;
    private static final byte[] EMPTY = new byte[0];
    private byte[] chunk = EMPTY;
    private int position;
    private TensorId verified;
    private boolean closed;

    private DecodingStream(InputStream encoding, EncodingReader reader, InputStream base, boolean check)
            throws IOException {
        this.encoding = encoding;
        this.reader = reader;
        this.header = reader.header();
        this.base = base;
        this.apply = ChunkApply.prepare(header, reader.shared());
        this.hasher = check ? TensorId.hasher(header.dtype(), header.shape()) : null;
    }

    /**
     * Reads the encoding's header and opens its base.
     *
     * @throws InvalidEncodingException for a malformed header, or a base that is missing or not of the target's
     *     dtype and shape
     */
    public static DecodingStream open(InputStream encoding, BaseLookup bases, DecodeLimits limits)
            throws IOException {
        return open(encoding, bases, limits, true);
    }

    /**
     * As {@link #open}, for the base of a patch being decoded: its bytes are not hashed, because the patch's own
     * decoding is checked against its id, and a wrong base makes a wrong target that this check refuses. Hashing the
     * base too would do the work twice (three times for a chain of two). {@link #verifiedId()} is not available.
     */
    public static DecodingStream openAsBase(InputStream encoding, BaseLookup bases, DecodeLimits limits)
            throws IOException {
        return open(encoding, bases, limits, false);
    }

    private static DecodingStream open(InputStream encoding, BaseLookup bases, DecodeLimits limits, boolean check)
            throws IOException {
        EncodingReader reader = new EncodingReader(encoding, limits);
        EncodingHeader h = reader.header();
        InputStream base = null;
        if (h.kind().needsBase()) {
            BaseTensor b = bases.open(h.base()).orElseThrow(() -> new InvalidEncodingException(
                    h.kind().displayName() + " patch needs base " + h.base() + ", which is not available"));
            if (b.dtype() != h.dtype() || !b.shape().equals(h.shape())) {
                b.bytes().close();
                throw new InvalidEncodingException(h.kind().displayName() + " patch for a " + h.dtype().formatName()
                        + " " + h.shape() + " tensor names a base that is " + b.dtype().formatName() + " "
                        + b.shape());
            }
            base = b.bytes();
        }
        try {
            return new DecodingStream(encoding, reader, base, check);
        } catch (IOException | RuntimeException e) {
            if (base != null) {
                base.close();
            }
            throw e;
        }
    }

    public EncodingHeader header() {
        return header;
    }

    /** The tensor's id, once every byte has been read and found to hash to it. */
    public TensorId verifiedId() {
        if (hasher == null) {
            throw new IllegalStateException("a base decoded for its patch is not checked against its id");
        }
        if (verified == null) {
            throw new IllegalStateException("the tensor has not been read to its end");
        }
        return verified;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (position == chunk.length) {
            if (!advance()) {
                return -1;
            }
        }
        int n = Math.min(len, chunk.length - position);
        hash(n);
        System.arraycopy(chunk, position, b, off, n);
        position += n;
        return n;
    }

    /**
     * Writes each decoded chunk as it is, rather than through a copy in a small buffer; {@code out} must be done with
     * the array when its write returns (as streams are), since the next chunk is decoded into it.
     */
    @Override
    public long transferTo(OutputStream out) throws IOException {
        java.util.Objects.requireNonNull(out, "out");
        long n = 0;
        while (position < chunk.length || advance()) {
            hash(chunk.length - position);
            out.write(chunk, position, chunk.length - position);
            n += chunk.length - position;
            position = chunk.length;
        }
        return n;
    }

    /** Decodes the next chunk; false at the end, once the id has been checked. */
    private boolean advance() throws IOException {
        if (closed) {
            throw new IOException("the decoded tensor's stream is closed");
        }
        if (verified != null) {
            return false;
        }
        if (nextChunk == header.chunkCount()) {
            reader.finish();
            if (hasher == null) {
                // A base: its patch's decoding checks the result (openAsBase).
                verified = header.target();
                return false;
            }
            TensorId id = hasher.finish();
            if (!id.equals(header.target())) {
                throw new InvalidEncodingException("decoded tensor is " + id + ", not " + header.target()
                        + " as the encoding declares");
            }
            verified = id;
            return false;
        }
        long c = nextChunk++;
        int chunkBytes = Math.toIntExact(header.chunkBytes(c));
        // The last chunk has been read to its end (or written out by transferTo): its array takes this one, which
        // saves allocating and zeroing megabytes per chunk. The chunk's size was checked against the limits with the
        // header.
        byte[] into = chunk.length == chunkBytes ? chunk : ScratchArrays.takeExactly(chunkBytes);
        if (into != chunk) {
            ScratchArrays.giveBack(chunk);
        }
        // Until the apply returns there is nothing to read: a failure leaves no half-written chunk readable.
        chunk = EMPTY;
        position = 0;
        if (base != null) {
            // Straight into the array (readNBytes(int) would gather it in 8 KiB pieces and copy them). The apply
            // overwrites it with the target's chunk.
            if (base.readNBytes(into, 0, chunkBytes) != chunkBytes) {
                throw new InvalidEncodingException("base tensor ends inside chunk " + c);
            }
        }
        chunk = apply.chunk(c, reader.nextChunk(), into);
        position = 0;
        return true;
    }

    /**
     * Hashes the next {@code n} bytes of the chunk as they are handed out rather than the whole chunk once decoded:
     * the reader gets a chunk's first bytes without waiting for its last to be hashed (for a checkout, the first
     * tensor reaches git sooner), and the bytes are hashed while they are in the cache for the copy. The check at
     * the end is the same: it runs once every byte has been read.
     */
    private void hash(int n) {
        if (hasher != null) {
            hasher.update(chunk, position, n);
        }
    }

    /** Gives the stream's arrays back ({@link ScratchArrays}); nothing can be read after. */
    @Override
    public void close() throws IOException {
        ScratchArrays.giveBack(chunk);
        chunk = EMPTY;
        position = 0;
        closed = true;
        reader.release();
        try {
            encoding.close();
        } finally {
            if (base != null) {
                base.close();
            }
        }
    }
}
