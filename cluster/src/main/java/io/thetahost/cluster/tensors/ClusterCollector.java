package io.thetahost.cluster.tensors;

import io.thetahost.cluster.objects.ObjectStore;
import io.thetahost.objectdb.gc.GcReport;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * gc for the cluster store, safe while other fronts upload and read:
 *
 * <ol>
 *   <li>one transaction deletes the rows (and grants) of tensors neither live, nor stored after the cutoff, nor a
 *       base of a kept tensor's chain ({@link TensorRows#sweep}); then their objects go. An upload of one of those
 *       tensors meanwhile writes its own object under a fresh key and inserts a new row, so no object a row names is
 *       ever deleted;
 *   <li>pending records older than {@link #ABANDONED_AFTER} (uploads of fronts that died, or gave up without being
 *       able to clean) go, then their objects;
 *   <li>objects under {@code tensors/} that no row or pending record names and whose key is older than
 *       {@link #ABANDONED_AFTER} go: what a crash between a row's deletion and its object's left, or an upload that
 *       lost its connection to the database. Listed first, their owners read after (see {@link TensorRows#owners}).
 * </ol>
 *
 * A crash at any point leaves rows that name existing objects, and objects that a later gc finds.
 */
final class ClusterCollector {
    /** How long an upload may take before gc takes it for one whose front died. */
    static final Duration ABANDONED_AFTER = Duration.ofDays(1);

    private final TensorRows rows;
    private final ObjectStore objects;
    private final EncodingCache cache;
    private final Clock clock;

    ClusterCollector(TensorRows rows, ObjectStore objects, EncodingCache cache, Clock clock) {
        this.rows = rows;
        this.objects = objects;
        this.cache = cache;
        this.clock = clock;
    }

    GcReport collect(Set<TensorId> live, Instant keepStoredAfter) throws IOException {
        TensorRows.Swept swept = rows.sweep(live, keepStoredAfter);
        long freed = 0;
        for (Map.Entry<String, Long> removed : swept.objects().entrySet()) {
            objects.delete(removed.getKey());
            cache.remove(removed.getKey());
            freed += removed.getValue();
        }
        Instant abandoned = clock.instant().minus(ABANDONED_AFTER);
        long orphans = 0;
        for (String key : rows.dropPendingBefore(abandoned)) {
            Optional<Long> size = objects.size(key);
            if (size.isPresent()) {
                objects.delete(key);
                freed += size.get();
            }
            orphans++;
        }
        String after = null;
        while (true) {
            List<String> listed = objects.list(ObjectKeys.PREFIX, after, ClusterFsck.KEYS_PER_PAGE);
            if (listed.isEmpty()) {
                break;
            }
            List<String> keys = listed.stream().filter(ObjectKeys::isEncoding).toList();
            Map<String, TensorRows.Owner> owners = rows.owners(keys);
            for (String key : keys) {
                TensorRows.Owner owner = owners.get(key);
                if (owner.row() || owner.pendingSince() != null) {
                    continue;
                }
                Optional<Instant> written = ObjectKeys.timeOf(key);
                if (written.isPresent() && written.get().isAfter(abandoned)) {
                    // Its upload may still be cleaning up after itself; next time.
                    continue;
                }
                Optional<Long> size = objects.size(key);
                if (size.isPresent()) {
                    objects.delete(key);
                    freed += size.get();
                    orphans++;
                }
            }
            after = listed.get(listed.size() - 1);
        }
        return new GcReport(swept.kept(), swept.objects().size(), freed, orphans, swept.grantsRemoved());
    }
}
