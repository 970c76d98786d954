package io.thetahost.cluster.git;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.eclipse.jgit.internal.storage.dfs.DfsRefDatabase.RefCache;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectIdRef;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.SymbolicRef;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.util.RefList;

/**
 * A repository's refs as {@code git_refs} rows, and the compare-and-swap statements that change them. Every change
 * names the value it expects, so of two fronts changing one ref from the same value exactly one matches a row.
 *
 * <p>Locks are always taken in one order, so that transactions of several refs never deadlock: first the repository
 * row (only by a transaction that creates refs, which must see every other creation to refuse names nested in one
 * another), then the ref rows in name order.
 */
final class RefRows {
    private RefRows() {
    }

    static RefCache scan(Connection c, String repository) throws SQLException {
        RefList.Builder<Ref> all = new RefList.Builder<>();
        RefList.Builder<Ref> symbolic = new RefList.Builder<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT name, target, symbolic, peeled FROM git_refs WHERE repository = ?")) {
            s.setString(1, repository);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Ref ref = ref(r.getString(1), r.getString(2), r.getBoolean(3), r.getString(4));
                    all.add(ref);
                    if (ref.isSymbolic()) {
                        symbolic.add(ref);
                    }
                }
            }
        }
        // RefList wants Java's string order, which is not necessarily the database's collation.
        all.sort();
        symbolic.sort();
        return new RefCache(all.toRefList(), symbolic.toRefList());
    }

    private static Ref ref(String name, String target, boolean symbolic, String peeled) {
        if (symbolic) {
            return new SymbolicRef(name, new ObjectIdRef.Unpeeled(Ref.Storage.NEW, target, null));
        }
        ObjectId id = ObjectId.fromString(target);
        // Every row is written peeled, so JGit never peels these again (and never writes the result back).
        return peeled == null ? new ObjectIdRef.PeeledNonTag(Ref.Storage.PACKED, name, id)
                : new ObjectIdRef.PeeledTag(Ref.Storage.PACKED, name, id, ObjectId.fromString(peeled));
    }

    /** The ref {@code name} pointing at {@code id}, peeled: an annotated tag carries the object it peels to. */
    static Ref peeled(RevWalk walk, String name, ObjectId id) throws IOException {
        RevObject object = walk.parseAny(id);
        if (object instanceof RevTag) {
            return new ObjectIdRef.PeeledTag(Ref.Storage.PACKED, name, id.copy(), walk.peel(object).copy());
        }
        return new ObjectIdRef.PeeledNonTag(Ref.Storage.PACKED, name, id.copy());
    }

    /**
     * Locks the repository's row against other ref creations until the transaction ends. Fronts creating refs at
     * once take turns, so that each sees the others' names when it checks for a conflict.
     */
    static void lockNames(Connection c, String repository) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT 1 FROM repositories WHERE name = ? FOR NO KEY UPDATE")) {
            s.setString(1, repository);
            s.executeQuery().close();
        }
    }

    /** Locks the rows of these refs (those that exist), in name order. */
    static void lockRows(Connection c, String repository, Collection<String> names) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT name FROM git_refs WHERE repository = ? "
                + "AND name = ANY (?) ORDER BY name FOR UPDATE")) {
            s.setString(1, repository);
            s.setArray(2, c.createArrayOf("text", names.toArray()));
            s.executeQuery().close();
        }
    }

    /**
     * Sets {@code next} if the ref is {@code expected} now: the same symbolic target, the same object id, or absent
     * when {@code expected} has no object id. A ref is not created where it would nest in another or another in it
     * ({@code refs/heads/a} and {@code refs/heads/a/b}). The caller has peeled {@code next} and runs this in a
     * transaction.
     *
     * @return whether the ref was set
     */
    static boolean put(Connection c, String repository, Ref expected, Ref next) throws SQLException {
        String name = next.getName();
        String target = next.isSymbolic() ? next.getTarget().getName() : next.getObjectId().name();
        ObjectId peeled = next.isSymbolic() ? null : next.getPeeledObjectId();
        if (!expected.isSymbolic() && expected.getObjectId() == null) {
            lockNames(c, repository);
            if (conflicts(c, repository, name)) {
                return false;
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO git_refs (repository, name, target, "
                    + "symbolic, peeled) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                s.setString(1, repository);
                s.setString(2, name);
                s.setString(3, target);
                s.setBoolean(4, next.isSymbolic());
                s.setString(5, peeled == null ? null : peeled.name());
                return s.executeUpdate() == 1;
            }
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE git_refs SET target = ?, symbolic = ?, peeled = ? "
                + "WHERE repository = ? AND name = ? AND symbolic = ? AND target = ?")) {
            s.setString(1, target);
            s.setBoolean(2, next.isSymbolic());
            s.setString(3, peeled == null ? null : peeled.name());
            s.setString(4, repository);
            s.setString(5, name);
            s.setBoolean(6, expected.isSymbolic());
            s.setString(7, expected.isSymbolic() ? expected.getTarget().getName() : expected.getObjectId().name());
            return s.executeUpdate() == 1;
        }
    }

    /**
     * Deletes the ref if it is {@code expected} now; an {@code expected} without object id (the ref should not
     * exist) succeeds when there is no such ref.
     */
    static boolean remove(Connection c, String repository, Ref expected) throws SQLException {
        if (!expected.isSymbolic() && expected.getObjectId() == null) {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT 1 FROM git_refs WHERE repository = ? AND name = ?")) {
                s.setString(1, repository);
                s.setString(2, expected.getName());
                try (ResultSet r = s.executeQuery()) {
                    return !r.next();
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM git_refs "
                + "WHERE repository = ? AND name = ? AND symbolic = ? AND target = ?")) {
            s.setString(1, repository);
            s.setString(2, expected.getName());
            s.setBoolean(3, expected.isSymbolic());
            s.setString(4, expected.isSymbolic() ? expected.getTarget().getName() : expected.getObjectId().name());
            return s.executeUpdate() == 1;
        }
    }

    /** Deletes the ref whatever it points at (a push may delete naming no old value); gone either way. */
    static void removeAny(Connection c, String repository, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "DELETE FROM git_refs WHERE repository = ? AND name = ? AND NOT symbolic")) {
            s.setString(1, repository);
            s.setString(2, name);
            s.executeUpdate();
        }
    }

    /** Whether an existing ref is a directory of {@code name} or lies under it. */
    private static boolean conflicts(Connection c, String repository, String name) throws SQLException {
        List<String> parents = new ArrayList<>();
        for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
            parents.add(name.substring(0, slash));
        }
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM git_refs WHERE repository = ? "
                + "AND (name = ANY (?) OR starts_with(name, ?)) LIMIT 1")) {
            s.setString(1, repository);
            s.setArray(2, c.createArrayOf("text", parents.toArray()));
            s.setString(3, name + "/");
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }
}
