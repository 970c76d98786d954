package io.thetahost.cluster.git;

import io.thetahost.cluster.database.ClusterDatabase;
import io.thetahost.cluster.objects.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.internal.storage.dfs.DfsBlockCache;
import org.eclipse.jgit.internal.storage.dfs.DfsGarbageCollector;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.internal.storage.dfs.DfsBlockCacheConfig;
import org.eclipse.jgit.lib.Config;

/**
 * The git repositories several fronts share (docs/CLUSTER.md): a {@code repositories} row each (name and git config
 * text), refs in {@code git_refs}, packs in the object store listed by {@code git_packs}. Names are {@code OWNER/NAME},
 * validated by the caller. Every method works on the shared state directly, so a change made through one front is
 * seen by another at its next call.
 */
public final class ClusterRepositories {
    private static final String DEFAULT_HEAD = "refs/heads/main";

    private final ClusterDatabase db;
    private final ObjectStore store;
    private final Path spool;

    /** Spools uploads under the JVM's temporary directory. */
    public ClusterRepositories(ClusterDatabase db, ObjectStore store) throws IOException {
        this(db, store, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * @param spool where pack files being pushed are spooled before their upload (created when missing); a front's
     *     {@code --data} directory, since what is there may be lost
     */
    public ClusterRepositories(ClusterDatabase db, ObjectStore store, Path spool) throws IOException {
        this.db = db;
        this.store = store;
        this.spool = Files.createDirectories(spool);
    }

    /**
     * Sizes the in-memory cache of pack data (JGit's DfsBlockCache, one per JVM) that every repository of this
     * process reads through; called once at start with {@code --cache-mib}. Its blocks are the unit the object store
     * is read in.
     *
     * @throws IllegalArgumentException when {@code bytes} is less than four blocks
     */
    public static void configureBlockCache(long bytes) {
        long least = 4L * RangedChannel.BLOCK_BYTES;
        if (bytes < least) {
            throw new IllegalArgumentException("the pack cache needs at least " + (least >> 20) + " MiB, not "
                    + bytes + " bytes");
        }
        DfsBlockCache.reconfigure(new DfsBlockCacheConfig()
                .setBlockSize(RangedChannel.BLOCK_BYTES)
                .setBlockLimit(bytes));
    }

    /**
     * Creates an empty repository whose HEAD is {@code refs/heads/main}.
     *
     * @param configText its git config (access, branch rules), as a bare repository's {@code config} file holds it
     * @throws RepositoryExistsException when the name is taken
     * @throws IllegalArgumentException when {@code configText} is not git config
     */
    public void create(String name, String configText) throws IOException {
        checkConfig(name, configText);
        inTransaction("create", name, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO repositories (name, config) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
                s.setString(1, name);
                s.setString(2, configText);
                if (s.executeUpdate() == 0) {
                    c.rollback();
                    return false;
                }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO git_refs (repository, name, target, symbolic) "
                    + "VALUES (?, 'HEAD', ?, true)")) {
                s.setString(1, name);
                s.setString(2, DEFAULT_HEAD);
                s.executeUpdate();
            }
            return true;
        }).filter(Boolean::booleanValue).orElseThrow(() -> new RepositoryExistsException(name));
    }

    public boolean exists(String name) throws IOException {
        return config(name, false).isPresent();
    }

    /**
     * Opens the repository for one request; the caller closes it.
     *
     * @throws RepositoryNotFoundException when there is no such repository
     */
    public ClusterRepository open(String name) throws IOException {
        Connection c = connect();
        try {
            String config = readConfig(c, name, false).orElseThrow(() -> new RepositoryNotFoundException(name));
            // The connection that found the row serves the repository for the rest of the request.
            return new ClusterRepository(name, config, new RepositoryConnection(db, name, c), store, spool);
        } catch (SQLException e) {
            close(c);
            throw failure("open", name, e);
        } catch (IOException | RuntimeException e) {
            close(c);
            throw e;
        }
    }

    /** Every repository's name, in order. */
    public List<String> names() throws IOException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
                "SELECT name FROM repositories ORDER BY name COLLATE \"C\"");
                ResultSet r = s.executeQuery()) {
            List<String> names = new ArrayList<>();
            while (r.next()) {
                names.add(r.getString(1));
            }
            return names;
        } catch (SQLException e) {
            throw new IOException("could not list the repositories in " + db.url() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The repository's git config text.
     *
     * @throws RepositoryNotFoundException when there is no such repository
     */
    public String config(String name) throws IOException {
        return config(name, false).orElseThrow(() -> new RepositoryNotFoundException(name));
    }

    /**
     * Changes the config text in one transaction, the row locked meanwhile, so that two changes at once (from two
     * fronts or admin commands) apply one after the other and neither is lost.
     *
     * @param change from the current text to the new; it may run while other changes wait
     * @return the new text
     * @throws RepositoryNotFoundException when there is no such repository
     * @throws IllegalArgumentException when the new text is not git config (nothing is changed)
     */
    public String updateConfig(String name, UnaryOperator<String> change) throws IOException {
        return inTransaction("change the config of", name, c -> {
            Optional<String> current = readConfig(c, name, true);
            if (current.isEmpty()) {
                return null;
            }
            String next = change.apply(current.get());
            checkConfig(name, next);
            try (PreparedStatement s = c.prepareStatement("UPDATE repositories SET config = ? WHERE name = ?")) {
                s.setString(1, next);
                s.setString(2, name);
                s.executeUpdate();
            }
            return next;
        }).orElseThrow(() -> new RepositoryNotFoundException(name));
    }

    /**
     * Deletes the repository: its rows (refs, packs) in one transaction, then its pack files.
     *
     * @return false when there was no such repository
     */
    public boolean delete(String name) throws IOException {
        boolean deleted = inTransaction("delete", name, c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM repositories WHERE name = ?")) {
                s.setString(1, name);
                return s.executeUpdate() == 1;
            }
        }).orElse(false);
        if (deleted) {
            deleteObjects(name);
        }
        return deleted;
    }

    /** Its pack files, now that no row names them (a failure here leaves garbage for gc, nothing visible). */
    private void deleteObjects(String name) throws IOException {
        String prefix = ClusterObjDatabase.keyPrefix(name);
        String after = null;
        while (true) {
            List<String> keys = store.list(prefix, after, 1000);
            for (String key : keys) {
                // A repository named like a folder of this one (alice/model/x) has its own packs under the prefix.
                if (key.indexOf('/', prefix.length()) < 0) {
                    store.delete(key);
                }
            }
            if (keys.size() < 1000) {
                return;
            }
            after = keys.get(keys.size() - 1);
        }
    }

    /**
     * git gc of one repository, safe while other fronts serve it: JGit's DFS collector repacks what the refs reach,
     * keeps what they do not in a garbage pack until it is older than {@code keepAfter} (a push whose pack is
     * committed but whose refs are not yet is kept so), and replaces the packs in one commit. Then the files no pack
     * row names (replaced packs, uploads of fronts that died) are deleted once their pack's name says they were
     * written before {@code keepAfter}; packs this run replaced stay until the next run, for readers that listed them.
     */
    public void collectGarbage(org.eclipse.jgit.lib.Repository repository, java.time.Instant keepAfter)
            throws IOException {
        ClusterRepository repo = (ClusterRepository) repository;
        java.util.Set<String> before = packNames(repo);
        DfsGarbageCollector gc = new DfsGarbageCollector(repo);
        // JGit reads a TTL of 0 as "keep garbage for ever"; a cutoff at or after now means "keep none".
        gc.setGarbageTtl(Math.max(1, System.currentTimeMillis() - keepAfter.toEpochMilli()),
                java.util.concurrent.TimeUnit.MILLISECONDS);
        gc.pack(NullProgressMonitor.INSTANCE);
        repo.scanForRepoChanges();
        // The garbage pack just written carries its objects' age (PackRows): when that is already past the cutoff,
        // a second pass drops it, as the embedded gc drops what no ref reaches in one run.
        for (org.eclipse.jgit.internal.storage.dfs.DfsPackFile p : repo.getObjectDatabase().getPacks()) {
            org.eclipse.jgit.internal.storage.dfs.DfsPackDescription d = p.getPackDescription();
            if (d.getPackSource() == org.eclipse.jgit.internal.storage.dfs.DfsObjDatabase.PackSource
                    .UNREACHABLE_GARBAGE && d.getLastModified() < keepAfter.toEpochMilli()) {
                DfsGarbageCollector again = new DfsGarbageCollector(repo);
                again.setGarbageTtl(Math.max(1, System.currentTimeMillis() - keepAfter.toEpochMilli()),
                        java.util.concurrent.TimeUnit.MILLISECONDS);
                again.pack(NullProgressMonitor.INSTANCE);
                repo.scanForRepoChanges();
                break;
            }
        }
        java.util.Set<String> named = packNames(repo);
        String prefix = ClusterObjDatabase.keyPrefix(repo.name());
        String after = null;
        while (true) {
            List<String> keys = store.list(prefix, after, 1000);
            for (String key : keys) {
                String file = key.substring(prefix.length());
                int dot = file.indexOf('.');
                if (file.indexOf('/') >= 0 || dot < 0) {
                    continue;
                }
                String pack = file.substring(0, dot);
                if (!named.contains(pack) && !before.contains(pack)
                        && ClusterObjDatabase.writtenAt(pack).filter(t -> t.isBefore(keepAfter)).isPresent()) {
                    store.delete(key);
                }
            }
            if (keys.size() < 1000) {
                return;
            }
            after = keys.get(keys.size() - 1);
        }
    }

    private static java.util.Set<String> packNames(ClusterRepository repo) throws IOException {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (org.eclipse.jgit.internal.storage.dfs.DfsPackFile p : repo.getObjectDatabase().getPacks()) {
            String file = p.getPackDescription().getFileName(org.eclipse.jgit.internal.storage.pack.PackExt.PACK);
            names.add(file.substring(0, file.indexOf('.')));
        }
        return names;
    }

    private Optional<String> config(String name, boolean lock) throws IOException {
        try (Connection c = connect()) {
            return readConfig(c, name, lock);
        } catch (SQLException e) {
            throw failure("read", name, e);
        }
    }

    private static Optional<String> readConfig(Connection c, String name, boolean lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT config FROM repositories WHERE name = ?" + (lock ? " FOR UPDATE" : ""))) {
            s.setString(1, name);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        }
    }

    private static void checkConfig(String name, String text) {
        try {
            new Config().fromText(text);
        } catch (ConfigInvalidException e) {
            throw new IllegalArgumentException("the config for repository " + name + " is not git config: "
                    + e.getMessage(), e);
        }
    }

    private <T> Optional<T> inTransaction(String what, String name, RepositoryConnection.Work<T> work)
            throws IOException {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return Optional.ofNullable(result);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failure(what, name, e);
        }
    }

    private Connection connect() throws IOException {
        try {
            return db.connect();
        } catch (SQLException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // Closing after a failure: the failure is what the caller hears about.
        }
    }

    private IOException failure(String what, String name, SQLException e) {
        return new IOException("could not " + what + " repository " + name + " in " + db.url() + ": "
                + e.getMessage(), e);
    }
}
