package io.thetahost.cluster.git;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.ToLongBiFunction;
import org.eclipse.jgit.internal.storage.dfs.DfsObjDatabase.PackSource;
import org.eclipse.jgit.internal.storage.dfs.DfsPackDescription;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.pack.PackExt;

/** A repository's committed packs as {@code git_packs} rows: what JGit's {@link DfsPackDescription} holds. */
final class PackRows {
    private PackRows() {
    }

    static List<DfsPackDescription> list(Connection c, DfsRepositoryDescription repository) throws SQLException {
        List<DfsPackDescription> packs = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT pack, source, extensions, file_sizes, object_count, "
                + "delta_count, index_version, committed_at FROM git_packs WHERE repository = ?")) {
            s.setString(1, repository.getRepositoryName());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    packs.add(pack(repository, r));
                }
            }
        }
        return packs;
    }

    private static DfsPackDescription pack(DfsRepositoryDescription repository, ResultSet r) throws SQLException {
        String name = r.getString("pack");
        String where = "git_packs row " + name + " of repository " + repository.getRepositoryName();
        PackSource source;
        try {
            source = PackSource.valueOf(r.getString("source"));
        } catch (IllegalArgumentException e) {
            throw new SQLException(where + ": unknown source '" + r.getString("source") + "'");
        }
        DfsPackDescription pack = new DfsPackDescription(repository, name, source);
        String[] extensions = (String[]) r.getArray("extensions").getArray();
        Long[] sizes = (Long[]) r.getArray("file_sizes").getArray();
        for (int i = 0; i < extensions.length; i++) {
            PackExt ext = extension(extensions[i], where);
            pack.addFileExt(ext);
            pack.setFileSize(ext, sizes[i]);
        }
        pack.setObjectCount(r.getLong("object_count"));
        pack.setDeltaCount(r.getLong("delta_count"));
        pack.setIndexVersion(r.getInt("index_version"));
        pack.setLastModified(r.getTimestamp("committed_at").getTime());
        return pack;
    }

    private static PackExt extension(String name, String where) throws SQLException {
        for (PackExt ext : PackExt.values()) {
            if (ext.getExtension().equals(name)) {
                return ext;
            }
        }
        throw new SQLException(where + ": unknown file extension '" + name + "'");
    }

    /**
     * Inserts the packs' rows and deletes the replaced packs' rows; the caller runs this in one transaction.
     *
     * @param fileSize the size of one file of a pack
     */
    static void commit(Connection c, String repository, Collection<DfsPackDescription> added,
            Collection<DfsPackDescription> replaced, ToLongBiFunction<DfsPackDescription, PackExt> fileSize)
            throws SQLException {
        // A garbage pack gc writes holds objects no younger than the newest pack it replaces: it takes that pack's
        // time, so that the objects' grace period runs from when they arrived, not from this gc.
        java.sql.Timestamp garbageTime = replaced == null ? null : replaced.stream()
                .map(DfsPackDescription::getLastModified).max(Long::compare)
                .map(java.sql.Timestamp::new).orElse(null);
        try (PreparedStatement s = c.prepareStatement("INSERT INTO git_packs (repository, pack, source, extensions, "
                + "file_sizes, object_count, delta_count, index_version, committed_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, now()))")) {
            for (DfsPackDescription pack : added) {
                List<String> extensions = new ArrayList<>();
                List<Long> sizes = new ArrayList<>();
                for (PackExt ext : PackExt.values()) {
                    if (pack.hasFileExt(ext)) {
                        extensions.add(ext.getExtension());
                        sizes.add(fileSize.applyAsLong(pack, ext));
                    }
                }
                s.setString(1, repository);
                s.setString(2, pack.getPackName());
                s.setString(3, pack.getPackSource().name());
                s.setArray(4, c.createArrayOf("text", extensions.toArray()));
                s.setArray(5, c.createArrayOf("bigint", sizes.toArray()));
                s.setLong(6, pack.getObjectCount());
                s.setLong(7, pack.getDeltaCount());
                s.setInt(8, pack.getIndexVersion());
                s.setTimestamp(9, pack.getPackSource() == PackSource.UNREACHABLE_GARBAGE ? garbageTime : null);
                s.addBatch();
            }
            s.executeBatch();
        }
        if (replaced != null && !replaced.isEmpty()) {
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM git_packs WHERE repository = ? AND pack = ANY (?)")) {
                Array names = c.createArrayOf("text", replaced.stream().map(DfsPackDescription::getPackName)
                        .toArray());
                s.setString(1, repository);
                s.setArray(2, names);
                s.executeUpdate();
            }
        }
    }
}
