package io.thetahost.objectdb.repack;

import io.thetahost.codec.decode.DecodingStream;
import io.thetahost.codec.encode.SpillBuffer;
import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.put.PieceWriter;
import io.thetahost.objectdb.put.Upload;
import io.thetahost.objectdb.read.BlobInputStream;
import io.thetahost.objectdb.read.TensorReader;
import io.thetahost.objectdb.store.Column;
import io.thetahost.objectdb.store.CorruptStoreException;
import io.thetahost.objectdb.store.InFlightBlobs;
import io.thetahost.objectdb.store.Keys;
import io.thetahost.objectdb.store.MetaRecord;
import io.thetahost.objectdb.store.ReadView;
import io.thetahost.objectdb.store.StoreDb;
import io.thetahost.objectdb.store.StoreLocks;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Lock;

/**
 * Repack's writes in the RocksDB store: each re-encoding is written as pending pieces, decoded again and checked
 * against the tensor's id, and only then committed in one synced batch under the sweep lock, after checking again,
 * against the chains as they are then (read again if any commit or sweep happened since), that it makes no loop and
 * no chain too deep. A reader keeps reading the old blob through its view; a crash leaves an orphan that open and gc
 * reclaim. Memory: one record per stored tensor ({@link Chains}). For one repack.
 */
public final class RocksRepackStorage implements RepackStorage {
    private final StoreDb db;
    private final TensorReader reader;
    private final StoreLocks locks;
    private final InFlightBlobs inFlight;
    private final StoreOptions options;
    private Chains chains;
    /** {@link StoreLocks#chainChanges()} when {@link #chains} was read. */
    private long seen;

    public RocksRepackStorage(StoreDb db, TensorReader reader, StoreLocks locks, InFlightBlobs inFlight,
            StoreOptions options) {
        this.db = db;
        this.reader = reader;
        this.locks = locks;
        this.inFlight = inFlight;
        this.options = options;
    }

    @Override
    public Map<TensorId, TensorMeta> stored(Set<TensorId> ids) throws IOException {
        Lock exclusive = locks.sweep();
        exclusive.lock();
        try {
            seen = locks.chainChanges();
            chains = Chains.read(db);
        } finally {
            exclusive.unlock();
        }
        Map<TensorId, TensorMeta> stored = new HashMap<>();
        for (TensorId id : ids) {
            chains.record(id).ifPresent(r -> stored.put(id, r.meta()));
        }
        return stored;
    }

    @Override
    public boolean fits(TensorId target, TensorId base, int maxDepth) {
        return chains.fits(target, base, maxDepth);
    }

    @Override
    public InputStream open(TensorId id) throws IOException {
        return reader.open(id).orElseThrow(
                () -> new IOException("tensor " + id + " left the store while it was repacked"));
    }

    @Override
    public Optional<TensorMeta> replace(TensorMeta target, TensorId base, EncodingKind kind, SpillBuffer encoding)
            throws IOException {
        PieceWriter pieces = new PieceWriter(db, inFlight, options.pieceBytes());
        try {
            try (InputStream in = encoding.open()) {
                in.transferTo(pieces);
            }
            pieces.finish();
            verify(pieces, target.id(), base);
            Lock exclusive = locks.sweep();
            exclusive.lock();
            try {
                if (locks.chainChanges() != seen) {
                    chains = Chains.read(db);
                    seen = locks.chainChanges();
                }
                return commit(target.id(), base, kind, pieces).map(MetaRecord::meta);
            } finally {
                exclusive.unlock();
            }
        } finally {
            pieces.discard();
        }
    }

    /** What the store writes itself is verified like what it receives: decoded from the pieces, id checked. */
    private void verify(PieceWriter pieces, TensorId target, TensorId base) throws IOException {
        String what = "the re-encoding of " + target + " against " + base;
        try (ReadView view = db.view();
                DecodingStream check = DecodingStream.open(
                        new BlobInputStream(db, null, pieces.blob(), pieces.bytes(), what),
                        reader.bases(view, id -> true), options.limits())) {
            EncodingHeader h = check.header();
            if (!h.target().equals(target) || !base.equals(h.base())) {
                throw new CorruptStoreException(what + " decodes as an encoding of " + h.target() + " on " + h.base());
            }
            Upload.drain(check, null, null);
        }
    }

    /**
     * Under the sweep lock: if the target is still the dense tensor planned for and the patch still fits the chains as
     * they are now, one synced batch points its record at the new blob, moves every tensor below it down by the new
     * depth, and deletes the old blob.
     */
    private Optional<MetaRecord> commit(TensorId target, TensorId base, EncodingKind kind, PieceWriter pieces)
            throws IOException {
        Optional<MetaRecord> current = chains.record(target);
        Optional<MetaRecord> baseRecord = chains.record(base);
        if (current.isEmpty() || baseRecord.isEmpty() || current.get().meta().kind() != EncodingKind.DENSE
                || !chains.fits(target, base, options.maxChainDepth())) {
            return Optional.empty();
        }
        TensorMeta old = current.get().meta();
        int depth = baseRecord.get().meta().chainDepth() + 1;
        TensorMeta meta = new TensorMeta(old.id(), old.dtype(), old.shape(), old.size(), kind, base, depth,
                pieces.bytes(), old.hasNaN(), old.hasInf(), old.storedAt());
        MetaRecord record = new MetaRecord(meta, pieces.blob());
        Map<TensorId, MetaRecord> moved = new LinkedHashMap<>();
        for (TensorId d : chains.below(target)) {
            MetaRecord r = chains.record(d).orElseThrow();
            TensorMeta m = r.meta();
            moved.put(d, new MetaRecord(new TensorMeta(m.id(), m.dtype(), m.shape(), m.size(), m.kind(), m.base(),
                    m.chainDepth() + depth, m.encodedBytes(), m.hasNaN(), m.hasInf(), m.storedAt()), r.blob()));
        }
        try (StoreDb.Batch batch = db.batch()) {
            batch.put(Column.META, Keys.tensor(target), record.encode());
            for (Map.Entry<TensorId, MetaRecord> e : moved.entrySet()) {
                batch.put(Column.META, Keys.tensor(e.getKey()), e.getValue().encode());
            }
            batch.deleteRange(Column.BLOBS, Keys.blobStart(current.get().blob()), Keys.blobEnd(current.get().blob()));
            pieces.commitInto(batch);
            db.write(batch, true);
        }
        pieces.committed();
        chains.replaced(target, record, moved);
        return Optional.of(record);
    }
}
