package io.thetahost.cluster.tensors;

import io.thetahost.cluster.objects.ObjectStore;
import io.thetahost.codec.decode.BaseLookup;
import io.thetahost.codec.decode.BaseTensor;
import io.thetahost.codec.decode.DecodingStream;
import io.thetahost.codec.format.DecodeLimits;
import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.objectdb.StoredEncoding;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.store.CorruptStoreException;
import io.thetahost.protocol.tensor.TensorId;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Stored tensors as streams of their raw bytes, decoded while read: a patch's stream pulls its base's, which pulls
 * its own, so memory is about one chunk per chain level (and one response's buffer per object being read) whatever
 * the tensor's size. The chain's rows are read in one statement; every object through the {@link EncodingCache},
 * except where fsck asks for the store's own bytes. The stream of the tensor asked for checks its id at its end;
 * its bases are decoded unchecked, since that check covers them.
 */
final class ChainReader {
    private static final int BUFFER = 64 << 10;
    private final TensorRows rows;
    private final ObjectStore objects;
    private final EncodingCache cache;
    private final DecodeLimits limits;

    ChainReader(TensorRows rows, ObjectStore objects, EncodingCache cache, DecodeLimits limits) {
        this.rows = rows;
        this.objects = objects;
        this.cache = cache;
        this.limits = limits;
    }

    Optional<InputStream> open(TensorId id) throws IOException {
        Map<TensorId, TensorRow> chain = rows.chain(id);
        TensorRow row = chain.get(id);
        return row == null ? Optional.empty() : Optional.of(decoded(chain, row, 0, false));
    }

    Optional<StoredEncoding> encoding(TensorId id) throws IOException {
        Optional<TensorRow> row = rows.row(id);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        TensorMeta meta = row.get().meta();
        return Optional.of(new StoredEncoding(meta, bytes(row.get(), meta, false)));
    }

    /**
     * The row's tensor decoded from its object, checked against the row (kind, base, dtype, shape) as it opens.
     *
     * @param chain the rows of the chain as read with the tensor's; a base missing from it is looked up again
     * @param depth 0 for the tensor asked for (checked against its id), more for its bases
     * @param fromStore read the chain's objects from the object store, not the cache (fsck checks what the store
     *     holds, and what another front, whose cache holds nothing, would read)
     */
    DecodingStream decoded(Map<TensorId, TensorRow> chain, TensorRow row, int depth, boolean fromStore)
            throws IOException {
        TensorMeta meta = row.meta();
        if (depth > TensorRows.CHAIN_GUARD) {
            throw new CorruptStoreException("the chain through " + meta.id() + " is deeper than "
                    + TensorRows.CHAIN_GUARD + " (its rows loop)");
        }
        BaseLookup bases = baseId -> {
            TensorRow base = chain.get(baseId);
            if (base == null) {
                Map<TensorId, TensorRow> more = rows.chain(baseId);
                base = more.get(baseId);
                if (base == null) {
                    return Optional.empty();
                }
                return Optional.of(baseTensor(more, base, depth + 1, fromStore));
            }
            return Optional.of(baseTensor(chain, base, depth + 1, fromStore));
        };
        InputStream bytes = bytes(row, meta, fromStore);
        DecodingStream stream;
        try {
            stream = depth == 0 ? DecodingStream.open(bytes, bases, limits)
                    : DecodingStream.openAsBase(bytes, bases, limits);
        } catch (IOException | RuntimeException e) {
            bytes.close();
            throw e;
        }
        EncodingHeader h = stream.header();
        if (!h.target().equals(meta.id()) || h.kind() != meta.kind() || !Objects.equals(h.base(), meta.base())
                || h.dtype() != meta.dtype() || !h.shape().equals(meta.shape())) {
            stream.close();
            throw new CorruptStoreException("the object " + row.objectKey() + " of " + meta.id() + " is a "
                    + h.kind().displayName() + " encoding of " + h.target()
                    + (h.base() == null ? "" : " on " + h.base()) + ", not what its row says");
        }
        return stream;
    }

    private BaseTensor baseTensor(Map<TensorId, TensorRow> chain, TensorRow base, int depth, boolean fromStore)
            throws IOException {
        TensorMeta b = base.meta();
        return new BaseTensor(b.dtype(), b.shape(), decoded(chain, base, depth, fromStore));
    }

    /**
     * Bases for an upload by {@code repository}: stored tensors it may read; any other is "not available" to the
     * decoder, whether it is stored or not.
     */
    BaseLookup basesFor(String repository) {
        BaseLookup stored = bases();
        return baseId -> rows.readable(repository, baseId) ? stored.open(baseId) : Optional.empty();
    }

    /** Bases for what the store writes itself (a repack's patch, checked before it is committed): any stored tensor. */
    BaseLookup bases() {
        return baseId -> {
            Map<TensorId, TensorRow> chain = rows.chain(baseId);
            TensorRow base = chain.get(baseId);
            return base == null ? Optional.empty() : Optional.of(baseTensor(chain, base, 1, false));
        };
    }

    /** The object's bytes: from the cache if it holds them, else from the object store, filling the cache. */
    private InputStream bytes(TensorRow row, TensorMeta meta, boolean fromStore) {
        InputStream stored = new ObjectStream(objects, row.objectKey(), meta.encodedBytes(), meta.id().toString());
        if (fromStore) {
            return new BufferedInputStream(stored, BUFFER);
        }
        Optional<InputStream> cached = cache.open(row.objectKey(), meta.encodedBytes());
        // The decoder reads a header's fields a few bytes at a time, then sections whole.
        return new BufferedInputStream(cached.orElseGet(() -> cache.filling(row.objectKey(), meta.encodedBytes(),
                stored)), BUFFER);
    }
}
