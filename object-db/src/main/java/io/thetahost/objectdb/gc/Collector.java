package io.thetahost.objectdb.gc;

import io.thetahost.objectdb.store.BlobKey;
import io.thetahost.objectdb.store.Column;
import io.thetahost.objectdb.store.InFlightBlobs;
import io.thetahost.objectdb.store.Keys;
import io.thetahost.objectdb.store.MetaRecord;
import io.thetahost.objectdb.store.MetaRecords;
import io.thetahost.objectdb.store.Orphans;
import io.thetahost.objectdb.store.StoreDb;
import io.thetahost.objectdb.store.StoreLocks;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Lock;

/**
 * Mark and sweep over meta records only (no piece is read). Roots are the live ids and everything stored after the
 * grace point (an upload comes before the push that references it); marking follows each kept tensor's chain to its
 * dense root, so no base a kept tensor needs is swept. Sweeping deletes a tensor's meta record, pieces and grants in
 * one batch, deepest chain levels first, so a crash in the middle leaves no patch without its base and no grant
 * without its tensor. Holds the sweep lock throughout: no upload commits meanwhile (uploads still stream in).
 */
public final class Collector {
    /** Tensors per write batch: enough to amortize the sync, few enough to keep a batch small. */
    private static final int BATCH_TENSORS = 256;

    private final StoreDb db;
    private final StoreLocks locks;
    private final InFlightBlobs inFlight;

    public Collector(StoreDb db, StoreLocks locks, InFlightBlobs inFlight) {
        this.db = db;
        this.locks = locks;
        this.inFlight = inFlight;
    }

    /** What gc needs of a meta record. */
    private record Node(TensorId base, int depth, BlobKey blob, Instant storedAt, long encodedBytes) {
    }

    public GcReport collect(Set<TensorId> live, Instant keepStoredAfter) throws IOException {
        Lock sweep = locks.sweep();
        sweep.lock();
        try {
            Map<TensorId, Node> nodes = new HashMap<>();
            Set<TensorId> unreadable = new HashSet<>();
            readNodes(nodes, unreadable);
            Set<TensorId> keep = mark(nodes, live, keepStoredAfter);
            keep.addAll(unreadable);
            List<TensorId> removed = new ArrayList<>();
            for (TensorId id : nodes.keySet()) {
                if (!keep.contains(id)) {
                    removed.add(id);
                }
            }
            removed.sort(Comparator.comparingInt((TensorId id) -> nodes.get(id).depth()).reversed());
            Map<TensorId, List<byte[]>> grants = new HashMap<>();
            List<byte[]> dangling = new ArrayList<>();
            Set<TensorId> removedSet = new HashSet<>(removed);
            readGrants(removedSet, nodes.keySet(), unreadable, grants, dangling);
            long freed = sweep(removed, nodes, grants);
            if (!removed.isEmpty()) {
                locks.chainsChanged();
            }
            long accessRemoved = grants.values().stream().mapToLong(List::size).sum() + dangling.size();
            if (!dangling.isEmpty()) {
                try (StoreDb.Batch batch = db.batch()) {
                    for (byte[] key : dangling) {
                        batch.delete(Column.ACCESS, key);
                    }
                    db.write(batch, true);
                }
            }
            Orphans.Found orphans = Orphans.reclaim(db, inFlight);
            return new GcReport(nodes.size() - removed.size(), removed.size(), freed + orphans.bytes(),
                    orphans.blobs().size(), accessRemoved);
        } finally {
            sweep.unlock();
        }
    }

    private void readNodes(Map<TensorId, Node> nodes, Set<TensorId> unreadable) throws IOException {
        MetaRecords.scan(db, null, new MetaRecords.Visitor() {
            @Override
            public void record(TensorId id, MetaRecord r) {
                nodes.put(id, new Node(r.meta().base(), r.meta().chainDepth(), r.blob(), r.meta().storedAt(),
                        r.meta().encodedBytes()));
            }

            @Override
            public void unreadable(TensorId id) {
                unreadable.add(id);
            }
        });
    }

    private static Set<TensorId> mark(Map<TensorId, Node> nodes, Set<TensorId> live, Instant keepStoredAfter) {
        Set<TensorId> keep = new HashSet<>();
        for (Map.Entry<TensorId, Node> e : nodes.entrySet()) {
            if (live.contains(e.getKey()) || e.getValue().storedAt().isAfter(keepStoredAfter)) {
                for (TensorId id = e.getKey(); id != null && keep.add(id); ) {
                    Node n = nodes.get(id);
                    id = n == null ? null : n.base();
                }
            }
        }
        return keep;
    }

    /** The grants of removed tensors, and grants that name no tensor at all. */
    private void readGrants(Set<TensorId> removed, Set<TensorId> stored, Set<TensorId> unreadable,
            Map<TensorId, List<byte[]>> grants, List<byte[]> dangling) throws IOException {
        db.scan(Column.ACCESS, null, cursor -> {
            for (cursor.seekToFirst(); cursor.valid(); cursor.next()) {
                byte[] key = cursor.key();
                if (!Keys.isAccessKey(key)) {
                    continue;
                }
                TensorId id = Keys.accessTensor(key);
                if (removed.contains(id)) {
                    grants.computeIfAbsent(id, k -> new ArrayList<>()).add(key);
                } else if (!stored.contains(id) && !unreadable.contains(id)) {
                    dangling.add(key);
                }
            }
            return null;
        });
    }

    private long sweep(List<TensorId> removed, Map<TensorId, Node> nodes, Map<TensorId, List<byte[]>> grants)
            throws IOException {
        long freed = 0;
        for (int from = 0; from < removed.size(); from += BATCH_TENSORS) {
            try (StoreDb.Batch batch = db.batch()) {
                for (TensorId id : removed.subList(from, Math.min(removed.size(), from + BATCH_TENSORS))) {
                    Node n = nodes.get(id);
                    batch.delete(Column.META, Keys.tensor(id));
                    batch.deleteRange(Column.BLOBS, Keys.blobStart(n.blob()), Keys.blobEnd(n.blob()));
                    for (byte[] key : grants.getOrDefault(id, List.of())) {
                        batch.delete(Column.ACCESS, key);
                    }
                    freed += n.encodedBytes();
                }
                db.write(batch, true);
            }
        }
        return freed;
    }
}
