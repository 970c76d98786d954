package io.thetahost.cluster.git;

import io.thetahost.cluster.objects.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.jgit.internal.storage.dfs.DfsRepository;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryBuilder;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.lib.StoredConfig;

/**
 * A git repository several fronts serve at once: objects in the object store, refs and config in PostgreSQL, through
 * JGit's DFS storage, so that UploadPack and ReceivePack serve it unchanged. Open one per request with
 * {@link ClusterRepositories#open} and close it: it holds one database connection, and caches refs and the pack list
 * for its lifetime ({@link #scanForRepoChanges()} reads them again).
 */
public final class ClusterRepository extends DfsRepository {
    private final RepositoryConnection rows;
    private final RepositoryConfig config;
    private final ClusterObjDatabase objects;
    private final ClusterRefDatabase refs;

    ClusterRepository(String name, String configText, RepositoryConnection rows, ObjectStore store, Path spool)
            throws IOException {
        super(new Builder().setRepositoryDescription(new DfsRepositoryDescription(name)));
        this.rows = rows;
        // Before the object database: DfsObjDatabase reads the config when constructed.
        this.config = new RepositoryConfig(rows, configText);
        this.objects = new ClusterObjDatabase(this, rows, store, spool);
        this.refs = new ClusterRefDatabase(this, rows, objects);
    }

    /** The repository's name, {@code OWNER/NAME}. */
    public String name() {
        return getDescription().getRepositoryName();
    }

    /**
     * The config as of opening (or the last {@code load()}). {@code save()} writes it back to the repository's row,
     * refused with an IOException when the row changed since it was read.
     */
    @Override
    public StoredConfig getConfig() {
        return config;
    }

    @Override
    public ClusterObjDatabase getObjectDatabase() {
        return objects;
    }

    @Override
    public ClusterRefDatabase getRefDatabase() {
        return refs;
    }

    /** Repositories come into being through {@link ClusterRepositories#create}, which also writes their row. */
    @Override
    public void create(boolean bare) throws IOException {
        throw new IOException("repository " + name() + " exists; create repositories with ClusterRepositories.create");
    }

    @Override
    protected void doClose() {
        try {
            super.doClose();
        } finally {
            rows.close();
        }
    }

    @Override
    public String toString() {
        return "ClusterRepository[" + name() + "]";
    }

    /** JGit's constructor wants a builder; repositories are opened through {@link ClusterRepositories#open}. */
    private static final class Builder extends DfsRepositoryBuilder<Builder, ClusterRepository> {
        @Override
        public ClusterRepository build() {
            throw new UnsupportedOperationException("open cluster repositories with ClusterRepositories.open");
        }
    }
}
