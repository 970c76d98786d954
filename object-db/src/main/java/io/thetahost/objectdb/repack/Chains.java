package io.thetahost.objectdb.repack;

import io.thetahost.objectdb.store.MetaRecord;
import io.thetahost.objectdb.store.MetaRecords;
import io.thetahost.objectdb.store.StoreDb;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every stored tensor's record and, from it, each base's patches: what repack needs to keep chains without loops and
 * within their depth. Memory: one record per stored tensor, as gc holds.
 */
final class Chains {
    private final Map<TensorId, MetaRecord> records = new HashMap<>();
    private final Map<TensorId, List<TensorId>> children = new HashMap<>();
    private final Set<TensorId> unreadable = new HashSet<>();

    static Chains read(StoreDb db) throws IOException {
        Chains chains = new Chains();
        MetaRecords.scan(db, null, new MetaRecords.Visitor() {
            @Override
            public void record(TensorId id, MetaRecord record) {
                chains.records.put(id, record);
            }

            @Override
            public void unreadable(TensorId id) {
                chains.unreadable.add(id);
            }
        });
        chains.records.forEach((id, r) -> {
            if (r.meta().base() != null) {
                chains.children.computeIfAbsent(r.meta().base(), k -> new ArrayList<>()).add(id);
            }
        });
        return chains;
    }

    Optional<MetaRecord> record(TensorId id) {
        return Optional.ofNullable(records.get(id));
    }

    /**
     * Whether {@code target} may become a patch against {@code base}: the base's chain does not pass through the
     * target (no loop), and every tensor whose chain passes through the target stays within {@code maxDepth}. A chain
     * through an unreadable record is never changed.
     */
    boolean fits(TensorId target, TensorId base, int maxDepth) {
        int depth = 0;
        for (TensorId id = base; id != null; id = records.get(id).meta().base()) {
            if (id.equals(target) || unreadable.contains(id) || !records.containsKey(id)) {
                return false;
            }
            depth++;
        }
        return depth + heightBelow(target) <= maxDepth;
    }

    /** How far the deepest tensor whose chain passes through {@code id} lies below it (0 when none does). */
    private int heightBelow(TensorId id) {
        int top = records.get(id).meta().chainDepth();
        int height = 0;
        for (TensorId d : below(id)) {
            height = Math.max(height, records.get(d).meta().chainDepth() - top);
        }
        return height;
    }

    /** Every tensor whose chain passes through {@code id}, not {@code id} itself. */
    List<TensorId> below(TensorId id) {
        List<TensorId> out = new ArrayList<>();
        Deque<TensorId> todo = new ArrayDeque<>(children.getOrDefault(id, List.of()));
        while (!todo.isEmpty()) {
            TensorId d = todo.pop();
            out.add(d);
            todo.addAll(children.getOrDefault(d, List.of()));
        }
        return out;
    }

    /** After a commit that stored {@code id} as {@code record} and rewrote the records of the tensors below it. */
    void replaced(TensorId id, MetaRecord record, Map<TensorId, MetaRecord> movedBelow) {
        MetaRecord old = records.put(id, record);
        if (old != null && old.meta().base() != null) {
            children.getOrDefault(old.meta().base(), new ArrayList<>()).remove(id);
        }
        if (record.meta().base() != null) {
            children.computeIfAbsent(record.meta().base(), k -> new ArrayList<>()).add(id);
        }
        records.putAll(movedBelow);
    }
}
