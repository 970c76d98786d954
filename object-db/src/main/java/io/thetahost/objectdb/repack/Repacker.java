package io.thetahost.objectdb.repack;

import io.thetahost.codec.decode.DecodingStream;
import io.thetahost.codec.encode.Encoder;
import io.thetahost.codec.encode.TensorInput;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;

/**
 * Re-encodes tensors stored dense as patches against a neighbour in history when that is much smaller, as git's
 * {@code repack -f} does for objects (object-db/STORE.md, Repack). Decoding and encoding run while uploads go on;
 * each re-encoding is written as pending pieces, decoded again and checked against the tensor's id, and only then
 * committed in one synced batch under the sweep lock, after checking again, against the chains as they are then, that
 * it makes no loop and no chain too deep. A reader keeps reading the old blob through its view; a crash leaves an
 * orphan that open and gc reclaim. Memory: one record per stored tensor, plus the encoder's chunks.
 */
public final class Repacker {
    /** A re-encoding is kept only if it saves this fraction of the tensor's stored bytes... */
    static final double MIN_SAVING_FRACTION = 0.10;
    /** ...and at least this many bytes: smaller savings are not worth a deeper chain. */
    static final long MIN_SAVING_BYTES = 4096;
    /** Neighbours compared in full per tensor, after a screen of them all on a sample. */
    static final int COMPARED = 3;
    private static final long PROGRESS_NANOS = 5_000_000_000L;

    private final StoreDb db;
    private final TensorReader reader;
    private final StoreLocks locks;
    private final InFlightBlobs inFlight;
    private final StoreOptions options;
    private final Encoder encoder;

    public Repacker(StoreDb db, TensorReader reader, StoreLocks locks, InFlightBlobs inFlight, StoreOptions options,
            Encoder encoder) {
        this.db = db;
        this.reader = reader;
        this.locks = locks;
        this.inFlight = inFlight;
        this.options = options;
        this.encoder = encoder;
    }

    /** A verified re-encoding, not yet committed. */
    private record Candidate(TensorId target, TensorId base, EncodingKind kind, PieceWriter pieces) {
    }

    public RepackReport repack(Collection<Neighbours> pairs, Consumer<String> progress) throws IOException {
        Chains chains;
        long seen;
        Lock exclusive = locks.sweep();
        exclusive.lock();
        try {
            seen = locks.chainChanges();
            chains = Chains.read(db);
        } finally {
            exclusive.unlock();
        }
        Map<TensorId, Set<TensorId>> neighbours = new HashMap<>();
        for (Neighbours n : pairs) {
            if (!n.a().equals(n.b())) {
                neighbours.computeIfAbsent(n.a(), k -> new LinkedHashSet<>()).add(n.b());
                neighbours.computeIfAbsent(n.b(), k -> new LinkedHashSet<>()).add(n.a());
            }
        }
        List<MetaRecord> targets = new ArrayList<>();
        for (TensorId id : neighbours.keySet()) {
            chains.record(id).filter(r -> r.meta().kind() == EncodingKind.DENSE).ifPresent(targets::add);
        }
        targets.sort(Comparator.comparingLong((MetaRecord r) -> r.meta().encodedBytes()).reversed()
                .thenComparing(r -> r.meta().id().toString()));
        long before = 0;
        long after = 0;
        long reencoded = 0;
        long lastProgress = System.nanoTime();
        for (int i = 0; i < targets.size(); i++) {
            TensorMeta t = targets.get(i).meta();
            if (System.nanoTime() - lastProgress > PROGRESS_NANOS) {
                progress.accept("repack: " + i + "/" + targets.size() + " tensors looked at, " + reencoded
                        + " re-encoded, " + (before - after) + " bytes saved");
                lastProgress = System.nanoTime();
            }
            Optional<Candidate> candidate = reencode(t, neighbours.get(t.id()), chains);
            if (candidate.isEmpty()) {
                continue;
            }
            try {
                exclusive.lock();
                try {
                    if (locks.chainChanges() != seen) {
                        chains = Chains.read(db);
                        seen = locks.chainChanges();
                    }
                    Optional<MetaRecord> replaced = commit(candidate.get(), chains);
                    if (replaced.isPresent()) {
                        reencoded++;
                        before += t.encodedBytes();
                        after += replaced.get().meta().encodedBytes();
                    }
                } finally {
                    exclusive.unlock();
                }
            } finally {
                candidate.get().pieces().discard();
            }
        }
        return new RepackReport(targets.size(), reencoded, before, after);
    }

    /** The smallest encoding of {@code t} against the nearest neighbour it may patch, if it saves enough. */
    private Optional<Candidate> reencode(TensorMeta t, Set<TensorId> neighbours, Chains chains) throws IOException {
        List<Encoder.Base> bases = new ArrayList<>();
        for (TensorId b : neighbours) {
            // Only bases of the target's dtype and shape: with none, there is nothing to encode against at all.
            Optional<TensorMeta> base = chains.record(b).map(MetaRecord::meta);
            if (base.isPresent() && base.get().dtype() == t.dtype() && base.get().shape().equals(t.shape())
                    && chains.fits(t.id(), b, options.maxChainDepth())) {
                bases.add(new Encoder.Base(input(base.get()), b));
            }
        }
        if (bases.isEmpty()) {
            return Optional.empty();
        }
        TensorInput target = input(t);
        Optional<Encoder.Base> base = encoder.nearest(target, bases, COMPARED);
        try (Encoder.Result encoded = encoder.encode(target, t.id(), base, Optional.empty())) {
            long size = encoded.encoding().size();
            long saving = t.encodedBytes() - size;
            if (encoded.kind() == EncodingKind.DENSE || saving < MIN_SAVING_BYTES
                    || saving < t.encodedBytes() * MIN_SAVING_FRACTION) {
                return Optional.empty();
            }
            PieceWriter pieces = new PieceWriter(db, inFlight, options.pieceBytes());
            try {
                try (InputStream in = encoded.encoding().open()) {
                    in.transferTo(pieces);
                }
                pieces.finish();
                verify(pieces, t.id(), base.get().id());
                return Optional.of(new Candidate(t.id(), base.get().id(), encoded.kind(), pieces));
            } catch (IOException | RuntimeException e) {
                pieces.discard();
                throw e;
            }
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
    private Optional<MetaRecord> commit(Candidate c, Chains chains) throws IOException {
        Optional<MetaRecord> current = chains.record(c.target());
        Optional<MetaRecord> base = chains.record(c.base());
        if (current.isEmpty() || base.isEmpty() || current.get().meta().kind() != EncodingKind.DENSE
                || !chains.fits(c.target(), c.base(), options.maxChainDepth())) {
            return Optional.empty();
        }
        TensorMeta old = current.get().meta();
        int depth = base.get().meta().chainDepth() + 1;
        TensorMeta meta = new TensorMeta(old.id(), old.dtype(), old.shape(), old.size(), c.kind(), c.base(), depth,
                c.pieces().bytes(), old.hasNaN(), old.hasInf(), old.storedAt());
        MetaRecord record = new MetaRecord(meta, c.pieces().blob());
        Map<TensorId, MetaRecord> moved = new LinkedHashMap<>();
        for (TensorId d : chains.below(c.target())) {
            MetaRecord r = chains.record(d).orElseThrow();
            TensorMeta m = r.meta();
            moved.put(d, new MetaRecord(new TensorMeta(m.id(), m.dtype(), m.shape(), m.size(), m.kind(), m.base(),
                    m.chainDepth() + depth, m.encodedBytes(), m.hasNaN(), m.hasInf(), m.storedAt()), r.blob()));
        }
        try (StoreDb.Batch batch = db.batch()) {
            batch.put(Column.META, Keys.tensor(c.target()), record.encode());
            for (Map.Entry<TensorId, MetaRecord> e : moved.entrySet()) {
                batch.put(Column.META, Keys.tensor(e.getKey()), e.getValue().encode());
            }
            batch.deleteRange(Column.BLOBS, Keys.blobStart(current.get().blob()), Keys.blobEnd(current.get().blob()));
            c.pieces().commitInto(batch);
            db.write(batch, true);
        }
        c.pieces().committed();
        chains.replaced(c.target(), record, moved);
        return Optional.of(record);
    }

    private TensorInput input(TensorMeta meta) {
        return new TensorInput.Of(meta.dtype(), meta.shape(), () -> reader.open(meta.id()).orElseThrow(
                () -> new IOException("tensor " + meta.id() + " left the store while it was repacked")));
    }
}
