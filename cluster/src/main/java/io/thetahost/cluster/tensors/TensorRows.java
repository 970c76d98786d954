package io.thetahost.cluster.tensors;

import io.thetahost.cluster.database.ClusterDatabase;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.PutResult;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.store.CorruptStoreException;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tensor tables ({@code tensors}, {@code tensor_grants}, {@code pending_uploads}; docs/CLUSTER.md) and every
 * statement the cluster store runs on them. A row in {@code tensors} is what makes a tensor visible; a row in
 * {@code pending_uploads} names an object an upload may be writing, so that gc leaves it alone for a day.
 *
 * <p>Commits and gc's sweep order themselves with table locks: an upload's commit holds {@code tensors} in ROW
 * EXCLUSIVE mode from its first statement, gc's sweep in SHARE ROW EXCLUSIVE mode, which conflict, so a sweep sees
 * every commit before it whole and no commit runs during it (reads and grants go on). Taking the commit's lock first
 * matters: if it locked its base row first and then waited for the table, gc, waiting for that row, would deadlock
 * with it.
 */
final class TensorRows {
    /** Deeper than any store writes: a chain this long is a loop in corrupt rows. */
    static final int CHAIN_GUARD = StoreOptions.MAX_CHAIN_DEPTH + 1;
    /** Ids sent to the database per statement when gc loads its live set. */
    private static final int LIVE_BATCH = 10_000;
    private static final String FOREIGN_KEY_VIOLATION = "23503";
    /**
     * The session lock a repack holds from start to end ("thetarep"), so that one runs at a time across fronts.
     * Nothing else in thetahost takes advisory locks (Flyway's migration lock is another key).
     */
    private static final long REPACK_LOCK = 0x7468657461726570L;

    private final ClusterDatabase db;

    TensorRows(ClusterDatabase db) {
        this.db = db;
    }

    /** What the store should report for a commit: whether this upload stored the tensor, and the row as it is. */
    record Committed(PutResult.Status status, TensorMeta stored) {
    }

    /** A row, and the depth of its base's row (null when it has no base, or its base has no row). */
    record CheckedRow(TensorRow row, Integer baseDepth) {
    }

    /** What a repack's commit did: the tensor as now stored, and the object its row named before (now nobody's). */
    record Repatched(TensorMeta stored, String oldObjectKey) {
    }

    /** Who names an object: a tensors row, a pending upload (since when), or nobody. */
    record Owner(boolean row, Instant pendingSince) {
    }

    /** What gc's sweep removed: the objects to delete once the rows are gone, and counts for its report. */
    record Swept(Map<String, Long> objects, long grantsRemoved, long kept) {
    }

    Optional<TensorRow> row(TensorId id) throws IOException {
        try (Connection c = db.connect();
                PreparedStatement s = c.prepareStatement("SELECT " + TensorRow.COLUMNS + " FROM tensors WHERE id = ?")) {
            s.setString(1, id.toString());
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(read(r)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("read the row of " + id, e);
        }
    }

    /**
     * The tensor's row and its base chain's rows, in one statement (so one consistent snapshot), the tensor first.
     * Empty when the tensor is not stored.
     */
    Map<TensorId, TensorRow> chain(TensorId id) throws IOException {
        try (Connection c = db.connect()) {
            return chainIn(c, id);
        } catch (SQLException e) {
            throw failure("read the chain of " + id, e);
        } catch (IllegalArgumentException e) {
            throw new IOException("the chain of " + id + " holds a row that is not a tensor id: " + e.getMessage());
        }
    }

    /** @throws IllegalArgumentException if a row's id is not a tensor id */
    private static Map<TensorId, TensorRow> chainIn(Connection c, TensorId id) throws SQLException {
        String sql = "WITH RECURSIVE chain AS ("
                + " SELECT t.*, 0 AS level FROM tensors t WHERE t.id = ?"
                + " UNION ALL"
                + " SELECT t.*, c.level + 1 FROM tensors t JOIN chain c ON t.id = c.base WHERE c.level < ?)"
                + " SELECT " + TensorRow.COLUMNS + " FROM chain ORDER BY level";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id.toString());
            s.setInt(2, CHAIN_GUARD);
            Map<TensorId, TensorRow> chain = new LinkedHashMap<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    TensorRow row = read(r);
                    chain.putIfAbsent(TensorId.parse(row.id()), row);
                }
            }
            return chain;
        }
    }

    /** Whether the repository holds a grant; the foreign key makes a grant imply a stored tensor. */
    boolean readable(String repository, TensorId id) throws IOException {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT 1 FROM tensor_grants WHERE repository = ? AND id = ?")) {
            s.setString(1, repository);
            s.setString(2, id.toString());
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        } catch (SQLException e) {
            throw failure("read the grants of " + id, e);
        }
    }

    /** Adds a grant; the foreign key refuses one for a tensor that is not stored, gc's delete of it included. */
    void grant(String repository, TensorId id) throws IOException {
        try (Connection c = db.connect()) {
            insertGrant(c, repository, id);
        } catch (SQLException e) {
            if (FOREIGN_KEY_VIOLATION.equals(e.getSQLState())) {
                throw new IOException("cannot grant " + repository + " access to " + id + ": it is not stored");
            }
            throw failure("grant " + repository + " access to " + id, e);
        }
    }

    private static void insertGrant(Connection c, String repository, TensorId id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO tensor_grants (repository, id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, repository);
            s.setString(2, id.toString());
            s.executeUpdate();
        }
    }

    void addPending(String objectKey, String front) throws IOException {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO pending_uploads (object_key, front) VALUES (?, ?)")) {
            s.setString(1, objectKey);
            s.setString(2, front);
            s.executeUpdate();
        } catch (SQLException e) {
            throw failure("record the upload of " + objectKey, e);
        }
    }

    void dropPending(String objectKey) throws IOException {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
                "DELETE FROM pending_uploads WHERE object_key = ?")) {
            s.setString(1, objectKey);
            s.executeUpdate();
        } catch (SQLException e) {
            throw failure("drop the record of the upload of " + objectKey, e);
        }
    }

    /** Whether a tensors row names the object (then it must not be deleted, whatever its uploader thinks). */
    boolean namesObject(String objectKey) throws IOException {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT 1 FROM tensors WHERE object_key = ?")) {
            s.setString(1, objectKey);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        } catch (SQLException e) {
            throw failure("look up the row of " + objectKey, e);
        }
    }

    /**
     * Makes a verified upload visible, in one transaction: the row ({@code ON CONFLICT DO NOTHING}: another front may
     * have stored the tensor meanwhile, then its row stays and only the grant is added), the grant, and the removal
     * of the pending record. The base's row is locked (KEY SHARE) so that it stays while the patch's row names it,
     * and the depth is taken from it as it is now.
     *
     * @param verified the tensor as the upload decoded it (depth and time are set here)
     * @throws IOException if the base was removed meanwhile, or gc gave the upload up (its pending record is gone):
     *     the upload must be sent again; nothing was written
     */
    Committed commit(TensorMeta verified, String objectKey, String repository, int maxChainDepth)
            throws IOException {
        TensorId id = verified.id();
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    s.execute("LOCK TABLE tensors IN ROW EXCLUSIVE MODE");
                }
                int depth = 0;
                if (verified.base() != null) {
                    depth = 1 + lockBase(c, verified);
                    if (depth > maxChainDepth) {
                        throw new IOException("base " + verified.base() + " of " + id + " was stored again deeper "
                                + "in a chain while the upload was stored; send it again");
                    }
                }
                try (PreparedStatement s = c.prepareStatement("DELETE FROM pending_uploads WHERE object_key = ?")) {
                    s.setString(1, objectKey);
                    if (s.executeUpdate() == 0) {
                        throw new IOException("the upload of " + id + " took so long that gc gave it up (its "
                                + "pending record " + objectKey + " is gone); send it again");
                    }
                }
                boolean inserted;
                try (PreparedStatement s = c.prepareStatement("INSERT INTO tensors (id, dtype, shape, size, kind, "
                        + "base, chain_depth, encoded_bytes, has_nan, has_inf, object_key) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
                    s.setString(1, id.toString());
                    s.setString(2, verified.dtype().formatName());
                    s.setArray(3, c.createArrayOf("bigint", boxed(verified.shape().dims())));
                    s.setLong(4, verified.size());
                    s.setString(5, TensorRow.kindName(verified.kind()));
                    s.setString(6, verified.base() == null ? null : verified.base().toString());
                    s.setInt(7, depth);
                    s.setLong(8, verified.encodedBytes());
                    s.setBoolean(9, verified.hasNaN());
                    s.setBoolean(10, verified.hasInf());
                    s.setString(11, objectKey);
                    inserted = s.executeUpdate() == 1;
                }
                TensorMeta stored = rowIn(c, id).orElseThrow(() -> new IOException(id + " was removed while its "
                        + "upload was stored; send it again")).meta();
                insertGrant(c, repository, id);
                c.commit();
                return new Committed(inserted ? PutResult.Status.STORED : PutResult.Status.ALREADY_STORED, stored);
            } catch (SQLException | IOException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        } catch (SQLException e) {
            if (FOREIGN_KEY_VIOLATION.equals(e.getSQLState())) {
                throw new IOException("base " + verified.base() + " of " + id + " was removed while the upload was "
                        + "stored; send it again", e);
            }
            throw failure("store the row of " + id, e);
        }
    }

    /** The base's depth, its row locked against deletion until the commit. */
    private static int lockBase(Connection c, TensorMeta verified) throws SQLException, IOException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT chain_depth FROM tensors WHERE id = ? FOR KEY SHARE")) {
            s.setString(1, verified.base().toString());
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new IOException("base " + verified.base() + " of " + verified.id() + " was removed from "
                            + "the store while the upload was stored; send it again");
                }
                return r.getInt(1);
            }
        }
    }

    /**
     * For an upload of a tensor found stored: the grant, and the row as it is, in one transaction (the grant's
     * foreign key locks the row until the commit).
     *
     * @throws IOException if the tensor was removed (by gc) while the upload was checked: send it again
     */
    TensorMeta grantStored(TensorId id, String repository) throws IOException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                insertGrant(c, repository, id);
                Optional<TensorRow> row = rowIn(c, id);
                if (row.isEmpty()) {
                    throw new IOException(id + " was removed from the store while its upload was checked; send it "
                            + "again");
                }
                c.commit();
                return row.get().meta();
            } catch (SQLException | IOException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        } catch (SQLException e) {
            if (FOREIGN_KEY_VIOLATION.equals(e.getSQLState())) {
                throw new IOException(id + " was removed from the store while its upload was checked; send it again",
                        e);
            }
            throw failure("grant " + repository + " access to " + id, e);
        }
    }

    private static Optional<TensorRow> rowIn(Connection c, TensorId id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + TensorRow.COLUMNS + " FROM tensors WHERE id = ?")) {
            s.setString(1, id.toString());
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(read(r)) : Optional.empty();
            }
        }
    }

    /**
     * Rows after {@code after} in id order, at most {@code limit}, each with its base's depth: fsck reads the table a
     * page at a time, so its memory does not grow with the store.
     */
    List<CheckedRow> page(String after, int limit) throws IOException {
        String sql = "SELECT " + prefixed("t") + ", b.chain_depth FROM tensors t"
                + " LEFT JOIN tensors b ON b.id = t.base WHERE t.id > ? ORDER BY t.id LIMIT ?";
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, after);
            s.setInt(2, limit);
            List<CheckedRow> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    int depth = r.getInt(13);
                    rows.add(new CheckedRow(read(r), r.wasNull() ? null : depth));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw failure("read the tensors table", e);
        }
    }

    long grantCount() throws IOException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM tensor_grants")) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw failure("count the grants", e);
        }
    }

    /**
     * Who names each of {@code keys}, in one statement (one snapshot). Called after the keys were listed: an object
     * listed was written after its pending record, so a snapshot taken later sees that record, or the row that
     * replaced it in the same transaction.
     */
    Map<String, Owner> owners(List<String> keys) throws IOException {
        String sql = "SELECT k.key, EXISTS (SELECT 1 FROM tensors t WHERE t.object_key = k.key), p.started_at"
                + " FROM unnest(?::text[]) AS k(key) LEFT JOIN pending_uploads p ON p.object_key = k.key";
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setArray(1, c.createArrayOf("text", keys.toArray()));
            Map<String, Owner> owners = new HashMap<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    OffsetDateTime since = r.getObject(3, OffsetDateTime.class);
                    owners.put(r.getString(1), new Owner(r.getBoolean(2), since == null ? null : since.toInstant()));
                }
            }
            return owners;
        } catch (SQLException e) {
            throw failure("look up who names " + keys.size() + " objects", e);
        }
    }

    /** Removes pending records of uploads that started before {@code cutoff} (fronts that died); their keys. */
    List<String> dropPendingBefore(Instant cutoff) throws IOException {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
                "DELETE FROM pending_uploads WHERE started_at < ? RETURNING object_key")) {
            s.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
            List<String> keys = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    keys.add(r.getString(1));
                }
            }
            return keys;
        } catch (SQLException e) {
            throw failure("remove the records of interrupted uploads", e);
        }
    }

    /**
     * Deletes, in one transaction, the rows (and grants) of tensors that are not live, were stored before
     * {@code keepStoredAfter}, and are no base of a kept tensor's chain (a recursive query from the kept rows down
     * their chains). Holds the sweep lock (see the class comment) from before it reads anything.
     *
     * <p>Memory: the live set goes to a temporary table in batches; what comes back is the removed rows' object keys.
     */
    Swept sweep(Set<TensorId> live, Instant keepStoredAfter) throws IOException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TEMP TABLE gc_live (id text PRIMARY KEY) ON COMMIT DROP");
                }
                try (PreparedStatement s = c.prepareStatement(
                        "INSERT INTO gc_live SELECT unnest(?::text[]) ON CONFLICT DO NOTHING")) {
                    Iterator<TensorId> ids = live.iterator();
                    while (ids.hasNext()) {
                        List<String> batch = new ArrayList<>(LIVE_BATCH);
                        while (ids.hasNext() && batch.size() < LIVE_BATCH) {
                            batch.add(ids.next().toString());
                        }
                        s.setArray(1, c.createArrayOf("text", batch.toArray()));
                        s.executeUpdate();
                    }
                }
                try (Statement s = c.createStatement()) {
                    s.execute("ANALYZE gc_live");
                    s.execute("LOCK TABLE tensors IN SHARE ROW EXCLUSIVE MODE");
                }
                try (PreparedStatement s = c.prepareStatement("CREATE TEMP TABLE gc_removed ON COMMIT DROP AS"
                        + " WITH RECURSIVE kept(id, base) AS ("
                        + "  SELECT t.id, t.base FROM tensors t"
                        + "   WHERE t.stored_at > ? OR EXISTS (SELECT 1 FROM gc_live l WHERE l.id = t.id)"
                        + "  UNION"
                        + "  SELECT t.id, t.base FROM tensors t JOIN kept k ON t.id = k.base)"
                        + " SELECT t.id, t.object_key, t.encoded_bytes FROM tensors t"
                        + "  WHERE NOT EXISTS (SELECT 1 FROM kept k WHERE k.id = t.id)")) {
                    s.setObject(1, OffsetDateTime.ofInstant(keepStoredAfter, ZoneOffset.UTC));
                    s.execute();
                }
                long grants;
                long kept;
                Map<String, Long> objects = new LinkedHashMap<>();
                try (Statement s = c.createStatement()) {
                    grants = s.executeUpdate("DELETE FROM tensor_grants WHERE id IN (SELECT id FROM gc_removed)");
                    s.executeUpdate("DELETE FROM tensors WHERE id IN (SELECT id FROM gc_removed)");
                    try (ResultSet r = s.executeQuery("SELECT count(*) FROM tensors")) {
                        r.next();
                        kept = r.getLong(1);
                    }
                    try (ResultSet r = s.executeQuery("SELECT object_key, encoded_bytes FROM gc_removed")) {
                        while (r.next()) {
                            objects.put(r.getString(1), r.getLong(2));
                        }
                    }
                }
                c.commit();
                return new Swept(objects, grants, kept);
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw failure("remove the rows of unreferenced tensors", e);
        }
    }

    /** The rows of those of {@code ids} that are stored, {@link #LIVE_BATCH} ids per statement. */
    List<TensorRow> rows(Collection<TensorId> ids) throws IOException {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT " + TensorRow.COLUMNS + " FROM tensors WHERE id = ANY (?::text[])")) {
            List<TensorRow> rows = new ArrayList<>();
            Iterator<TensorId> it = ids.iterator();
            while (it.hasNext()) {
                List<String> batch = new ArrayList<>(LIVE_BATCH);
                while (it.hasNext() && batch.size() < LIVE_BATCH) {
                    batch.add(it.next().toString());
                }
                s.setArray(1, c.createArrayOf("text", batch.toArray()));
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        rows.add(read(r));
                    }
                }
            }
            return rows;
        } catch (SQLException e) {
            throw failure("read the rows of " + ids.size() + " tensors", e);
        }
    }

    /**
     * The depth {@code target}, stored dense, would take as a patch against {@code base}, if that fits the chains as
     * they are now (see {@link io.thetahost.objectdb.repack.RepackStorage#fits}); empty if not. For planning: the
     * commit ({@link #repatch}) checks again.
     */
    Optional<Integer> patchDepth(TensorId target, TensorId base, int maxChainDepth) throws IOException {
        try (Connection c = db.connect()) {
            return patchDepth(c, target, base, maxChainDepth);
        } catch (SQLException e) {
            throw failure("read the chains of " + target + " and " + base, e);
        }
    }

    /**
     * The base's chain must be whole (every row there, each parsing, ending in a dense tensor), must not pass through
     * the target (a loop), and must agree with the depth its rows record; its length, plus the height of what lies
     * below the target, must stay within {@code maxChainDepth}. Reads what lies below through {@code tensors_base}.
     */
    private static Optional<Integer> patchDepth(Connection c, TensorId target, TensorId base, int maxChainDepth)
            throws SQLException {
        Map<TensorId, TensorRow> chain;
        try {
            chain = chainIn(c, base);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int depth = 0;
        for (TensorId id = base; id != null; depth++) {
            TensorRow row = chain.get(id);
            if (row == null || id.equals(target) || depth >= maxChainDepth) {
                return Optional.empty();
            }
            try {
                id = row.meta().base();
            } catch (CorruptStoreException e) {
                return Optional.empty();
            }
        }
        if (depth != chain.get(base).chainDepth() + 1) {
            // Rows that disagree with their chain are fsck's to report, not repack's to build on.
            return Optional.empty();
        }
        return depth + heightBelow(c, target) <= maxChainDepth ? Optional.of(depth) : Optional.empty();
    }

    /** How far the deepest tensor whose chain passes through {@code id} lies below it (0 when none does). */
    private static int heightBelow(Connection c, TensorId id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("WITH RECURSIVE below(id, level) AS ("
                + " SELECT id, 1 FROM tensors WHERE base = ?"
                + " UNION ALL"
                + " SELECT t.id, b.level + 1 FROM tensors t JOIN below b ON t.base = b.id WHERE b.level < ?)"
                + " SELECT coalesce(max(level), 0) FROM below")) {
            s.setString(1, id.toString());
            s.setInt(2, CHAIN_GUARD);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    /**
     * Makes a verified patch of a tensor stored dense its stored encoding, in one transaction that holds
     * {@code tensors} in SHARE ROW EXCLUSIVE mode from its first statement, as gc's sweep does: no upload commits, no
     * sweep and no other repack's commit run meanwhile, so what it checks holds until it commits (reads and grants go
     * on). If the tensor is still stored dense and the patch fits the chains as they are now ({@link #patchDepth}),
     * its row takes the patch's kind, base, depth, size and object (its stored-at time is kept), every tensor below it
     * moves down by the new depth, and the pending record of the object goes.
     *
     * @return empty, and nothing written, if the store changed so that the tensor stays as it is
     * @throws IOException if gc gave the object up (its pending record is gone), or the database fails: nothing was
     *     written
     */
    Optional<Repatched> repatch(TensorId target, TensorId base, EncodingKind kind, long encodedBytes,
            String objectKey, int maxChainDepth) throws IOException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    s.execute("LOCK TABLE tensors IN SHARE ROW EXCLUSIVE MODE");
                }
                Optional<TensorRow> current = rowIn(c, target);
                Optional<Integer> depth = current.isPresent() && isDense(current.get())
                        ? patchDepth(c, target, base, maxChainDepth) : Optional.empty();
                if (depth.isEmpty()) {
                    c.rollback();
                    return Optional.empty();
                }
                try (PreparedStatement s = c.prepareStatement("DELETE FROM pending_uploads WHERE object_key = ?")) {
                    s.setString(1, objectKey);
                    if (s.executeUpdate() == 0) {
                        throw new IOException("the repack of " + target + " took so long that gc gave its object up "
                                + "(its pending record " + objectKey + " is gone)");
                    }
                }
                try (PreparedStatement s = c.prepareStatement("UPDATE tensors SET kind = ?, base = ?, chain_depth = ?,"
                        + " encoded_bytes = ?, object_key = ? WHERE id = ?")) {
                    s.setString(1, TensorRow.kindName(kind));
                    s.setString(2, base.toString());
                    s.setInt(3, depth.get());
                    s.setLong(4, encodedBytes);
                    s.setString(5, objectKey);
                    s.setString(6, target.toString());
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement("WITH RECURSIVE below(id, level) AS ("
                        + " SELECT id, 1 FROM tensors WHERE base = ?"
                        + " UNION ALL"
                        + " SELECT t.id, b.level + 1 FROM tensors t JOIN below b ON t.base = b.id WHERE b.level < ?)"
                        + " UPDATE tensors SET chain_depth = chain_depth + ? WHERE id IN (SELECT id FROM below)")) {
                    s.setString(1, target.toString());
                    s.setInt(2, CHAIN_GUARD);
                    s.setInt(3, depth.get());
                    s.executeUpdate();
                }
                TensorMeta stored = rowIn(c, target).orElseThrow().meta();
                c.commit();
                return Optional.of(new Repatched(stored, current.get().objectKey()));
            } catch (SQLException | IOException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw failure("store the repacked row of " + target, e);
        }
    }

    private static boolean isDense(TensorRow row) {
        try {
            TensorMeta meta = row.meta();
            return meta.kind() == EncodingKind.DENSE && meta.base() == null;
        } catch (CorruptStoreException e) {
            return false;
        }
    }

    /**
     * Takes the session lock that one repack at a time holds, on a connection of its own until {@link RepackLock#close}
     * (a front that dies releases it with its connection).
     *
     * @throws IOException if another repack holds it, on this front or another
     */
    RepackLock lockRepack() throws IOException {
        Connection c = null;
        try {
            c = db.connect();
            try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                s.setLong(1, REPACK_LOCK);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (!r.getBoolean(1)) {
                        throw new IOException("a repack of this tensor store is already running (on this front or "
                                + "another)");
                    }
                }
            }
            return new RepackLock(c);
        } catch (SQLException e) {
            IOException failure = failure("take the repack lock", e);
            closeQuietly(c, failure);
            throw failure;
        } catch (IOException | RuntimeException e) {
            closeQuietly(c, e);
            throw e;
        }
    }

    /** The repack lock, held on its own connection. */
    final class RepackLock implements AutoCloseable {
        private final Connection connection;

        private RepackLock(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void close() throws IOException {
            try (Connection c = connection; PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                s.setLong(1, REPACK_LOCK);
                s.executeQuery().close();
            } catch (SQLException e) {
                // The pool must not hand out a session that may still hold the lock.
                try {
                    connection.abort(Runnable::run);
                } catch (SQLException | RuntimeException again) {
                    e.addSuppressed(again);
                }
                throw failure("release the repack lock", e);
            }
        }
    }

    private static void closeQuietly(Connection c, Exception failure) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                failure.addSuppressed(e);
            }
        }
    }

    private static TensorRow read(ResultSet r) throws SQLException {
        Array shape = r.getArray(3);
        Object[] dims = (Object[]) shape.getArray();
        long[] d = new long[dims.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = ((Number) dims[i]).longValue();
        }
        // Millisecond precision, as TensorMeta promises (the column keeps microseconds).
        Instant storedAt = r.getObject(12, OffsetDateTime.class).toInstant().truncatedTo(ChronoUnit.MILLIS);
        return new TensorRow(r.getString(1), r.getString(2), d, r.getLong(4), r.getString(5), r.getString(6),
                r.getInt(7), r.getLong(8), r.getBoolean(9), r.getBoolean(10), r.getString(11), storedAt);
    }

    private static String prefixed(String table) {
        return table + "." + TensorRow.COLUMNS.replace(", ", ", " + table + ".");
    }

    private static Long[] boxed(long[] dims) {
        Long[] b = new Long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            b[i] = dims[i];
        }
        return b;
    }

    private static void rollback(Connection c, Exception failure) {
        try {
            c.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    private IOException failure(String what, SQLException e) {
        return new IOException("could not " + what + " in " + db.url() + ": " + e.getMessage(), e);
    }
}
