package io.thetahost.cluster.tensors;

import io.thetahost.cluster.objects.ObjectStore;
import io.thetahost.codec.decode.DecodingStream;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.objectdb.put.ValueFlags;
import io.thetahost.objectdb.store.CorruptStoreException;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks the cluster store while uploads and gc go on: every row parses, its object exists with its encoded length
 * and decodes (its chain with it, the object read from the store, not the cache) to its id, with the size and value
 * flags the row records; its base is one level shallower and the chain within the limit; and every object under
 * {@code tensors/} is named by a row or by an upload under way (others are orphans, which gc reclaims: counted, not
 * problems).
 *
 * <p>A problem found on a row is reported only if the row is still there, naming the same object, once found:
 * gc may have removed it while it was checked. Memory: one page of rows and one page of object keys at a time.
 */
final class ClusterFsck {
    private static final int ROWS_PER_PAGE = 500;
    static final int KEYS_PER_PAGE = 1000;
    private static final int READ_BUFFER = 256 << 10;

    private final TensorRows rows;
    private final ObjectStore objects;
    private final ChainReader reader;
    private final int maxChainDepth;
    private final Clock clock;
    private final List<FsckReport.Problem> problems = new ArrayList<>();
    private long tensors;
    private long bytesDecoded;
    private long encodedBytes;
    private long patches;
    private long orphans;
    private long orphanBytes;

    ClusterFsck(TensorRows rows, ObjectStore objects, ChainReader reader, int maxChainDepth, Clock clock) {
        this.rows = rows;
        this.objects = objects;
        this.reader = reader;
        this.maxChainDepth = maxChainDepth;
        this.clock = clock;
    }

    /** @throws IOException only if the database or the object store cannot be read at all */
    FsckReport run() throws IOException {
        String after = "";
        for (List<TensorRows.CheckedRow> page; !(page = rows.page(after, ROWS_PER_PAGE)).isEmpty(); ) {
            for (TensorRows.CheckedRow row : page) {
                check(row);
            }
            after = page.get(page.size() - 1).row().id();
        }
        long grants = rows.grantCount();
        findOrphans();
        return new FsckReport(tensors, bytesDecoded, grants, problems, orphans, orphanBytes, encodedBytes, patches);
    }

    private void check(TensorRows.CheckedRow checked) throws IOException {
        tensors++;
        TensorRow row = checked.row();
        TensorMeta meta;
        try {
            meta = row.meta();
        } catch (CorruptStoreException e) {
            problem(null, e.getMessage());
            return;
        }
        encodedBytes += meta.encodedBytes();
        if (meta.base() != null) {
            patches++;
        }
        if (!row.objectKey().startsWith(ObjectKeys.prefix(meta.id()))) {
            problem(meta.id(), "its object " + row.objectKey() + " is not under " + ObjectKeys.prefix(meta.id()));
        }
        if (meta.chainDepth() > maxChainDepth) {
            problem(meta.id(), "chain depth " + meta.chainDepth() + " is over the store's limit of " + maxChainDepth);
        }
        if (meta.base() != null) {
            if (checked.baseDepth() == null) {
                problemIfStill(row, "its base " + meta.base() + " is not stored");
            } else if (meta.chainDepth() != checked.baseDepth() + 1) {
                problem(meta.id(), "chain depth " + meta.chainDepth() + ", but its base " + meta.base()
                        + " has depth " + checked.baseDepth());
            }
        }
        Optional<Long> size = objects.size(row.objectKey());
        if (size.isEmpty()) {
            problemIfStill(row, "its object " + row.objectKey() + " is missing from the object store");
            return;
        }
        if (size.get() != meta.encodedBytes()) {
            problemIfStill(row, "its object " + row.objectKey() + " holds " + size.get() + " bytes, but its row "
                    + "says " + meta.encodedBytes());
            return;
        }
        decode(row, meta);
    }

    private void decode(TensorRow row, TensorMeta meta) throws IOException {
        ValueFlags flags = ValueFlags.of(meta.dtype());
        long count = 0;
        try (DecodingStream tensor = reader.decoded(Map.of(), row, 0, true)) {
            byte[] buffer = new byte[READ_BUFFER];
            for (int n; (n = tensor.read(buffer, 0, buffer.length)) >= 0; ) {
                flags.update(buffer, 0, n);
                count += n;
            }
            tensor.verifiedId();
        } catch (IOException | RuntimeException e) {
            // Whatever the cause, in this tensor's object or in its chain, the tensor cannot be read.
            problemIfStill(row, "does not decode: " + e.getMessage());
            return;
        }
        bytesDecoded += count;
        if (count != meta.size()) {
            problem(meta.id(), "decodes to " + count + " bytes, but its row says " + meta.size());
        }
        if (flags.hasNaN() != meta.hasNaN() || flags.hasInf() != meta.hasInf()) {
            problem(meta.id(), "holds NaN " + flags.hasNaN() + ", Inf " + flags.hasInf() + ", but its row says NaN "
                    + meta.hasNaN() + ", Inf " + meta.hasInf());
        }
    }

    /**
     * Objects under {@code tensors/} that no row names, nor an upload that started less than a day ago. Listed
     * before their owners are read, so that an upload that starts meanwhile is not taken for an orphan.
     */
    private void findOrphans() throws IOException {
        Instant abandoned = clock.instant().minus(ClusterCollector.ABANDONED_AFTER);
        String after = null;
        while (true) {
            List<String> listed = objects.list(ObjectKeys.PREFIX, after, KEYS_PER_PAGE);
            if (listed.isEmpty()) {
                break;
            }
            List<String> keys = listed.stream().filter(ObjectKeys::isEncoding).toList();
            Map<String, TensorRows.Owner> owners = rows.owners(keys);
            for (String key : keys) {
                TensorRows.Owner owner = owners.get(key);
                if (owner.row() || (owner.pendingSince() != null && owner.pendingSince().isAfter(abandoned))) {
                    continue;
                }
                // Gone by now: gc removed it, or its uploader did.
                Optional<Long> size = objects.size(key);
                if (size.isPresent()) {
                    orphans++;
                    orphanBytes += size.get();
                }
            }
            after = listed.get(listed.size() - 1);
        }
    }

    private void problemIfStill(TensorRow row, String what) throws IOException {
        TensorId id = TensorId.parse(row.id());
        Optional<TensorRow> now = rows.row(id);
        if (now.isPresent() && now.get().objectKey().equals(row.objectKey())) {
            problem(id, what);
        }
    }

    private void problem(TensorId tensor, String what) {
        problems.add(new FsckReport.Problem(tensor, what));
    }
}
