package io.thetahost.objectdb.store;

import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * A {@link Column#META} value: the tensor's {@link TensorMeta} and the blob that holds its encoding. Binary,
 * big-endian, versioned by its first byte (object-db/STORE.md):
 *
 * <pre>
 * u8 version=1  u8 dtype code  u8 kind code  u8 flags (1 NaN, 2 Inf)  u8 rank  u64 dims[rank]
 * u64 size  u32 chain depth  u64 encoded bytes  i64 stored-at epoch millis  16 bytes blob key
 * [32 bytes base digest, only for kinds with a base]
 * </pre>
 */
public record MetaRecord(TensorMeta meta, BlobKey blob) {
    public static final int VERSION = 1;
    private static final int FLAG_NAN = 1;
    private static final int FLAG_INF = 2;

    public byte[] encode() {
        TensorMeta m = meta;
        int length = 5 + 8 * m.shape().rank() + 8 + 4 + 8 + 8 + BlobKey.LENGTH
                + (m.base() == null ? 0 : Keys.DIGEST_BYTES);
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put((byte) VERSION).put((byte) m.dtype().code()).put((byte) m.kind().code())
                .put((byte) ((m.hasNaN() ? FLAG_NAN : 0) | (m.hasInf() ? FLAG_INF : 0)))
                .put((byte) m.shape().rank());
        for (long d : m.shape().dims()) {
            b.putLong(d);
        }
        b.putLong(m.size()).putInt(m.chainDepth()).putLong(m.encodedBytes()).putLong(m.storedAt().toEpochMilli())
                .put(blob.bytes());
        if (m.base() != null) {
            b.put(m.base().digest());
        }
        return b.array();
    }

    /**
     * Reads a record stored under {@code id}.
     *
     * @throws CorruptStoreException for an unknown version or codes, a wrong length, or fields that contradict each
     *     other
     */
    public static MetaRecord decode(TensorId id, byte[] value) throws CorruptStoreException {
        ByteBuffer b = ByteBuffer.wrap(value);
        try {
            int version = b.get() & 0xff;
            if (version != VERSION) {
                throw corrupt(id, "record version " + version + " (this store reads version " + VERSION + ")");
            }
            int dtypeCode = b.get() & 0xff;
            DType dtype = DType.byCode(dtypeCode).orElseThrow(() -> corrupt(id, "unknown dtype code " + dtypeCode));
            int kindCode = b.get() & 0xff;
            EncodingKind kind = EncodingKind.byCode(kindCode)
                    .orElseThrow(() -> corrupt(id, "unknown encoding kind " + kindCode));
            int flags = b.get() & 0xff;
            int rank = b.get() & 0xff;
            if (rank > Shape.MAX_DIMENSIONS) {
                throw corrupt(id, "shape of " + rank + " dimensions");
            }
            long[] dims = new long[rank];
            for (int i = 0; i < rank; i++) {
                dims[i] = b.getLong();
            }
            Shape shape = Shape.of(dims);
            long size = b.getLong();
            int depth = b.getInt();
            long encodedBytes = b.getLong();
            Instant storedAt = Instant.ofEpochMilli(b.getLong());
            byte[] blob = new byte[BlobKey.LENGTH];
            b.get(blob);
            TensorId base = null;
            if (kind.needsBase()) {
                byte[] digest = new byte[Keys.DIGEST_BYTES];
                b.get(digest);
                base = TensorId.ofDigest(digest);
            }
            if (b.hasRemaining()) {
                throw corrupt(id, b.remaining() + " bytes after the record");
            }
            if ((flags & ~(FLAG_NAN | FLAG_INF)) != 0) {
                throw corrupt(id, "unknown flags " + flags);
            }
            if (size != dtype.sizeOf(shape.elements())) {
                throw corrupt(id, "size " + size + " for a " + dtype.formatName() + " " + shape + " tensor");
            }
            TensorMeta meta = new TensorMeta(id, dtype, shape, size, kind, base, depth, encodedBytes,
                    (flags & FLAG_NAN) != 0, (flags & FLAG_INF) != 0, storedAt);
            return new MetaRecord(meta, BlobKey.of(blob));
        } catch (BufferUnderflowException e) {
            throw corrupt(id, "record cut short at " + value.length + " bytes");
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw corrupt(id, e.getMessage());
        }
    }

    private static CorruptStoreException corrupt(TensorId id, String what) {
        return new CorruptStoreException("meta record of " + id + ": " + what);
    }
}
