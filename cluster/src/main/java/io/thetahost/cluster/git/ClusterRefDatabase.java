package io.thetahost.cluster.git;

import java.io.IOException;
import java.util.List;
import org.eclipse.jgit.internal.storage.dfs.DfsRefDatabase;
import org.eclipse.jgit.lib.BatchRefUpdate;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.ReflogEntry;
import org.eclipse.jgit.lib.ReflogReader;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * A repository's refs as rows of {@code git_refs} (docs/CLUSTER.md). JGit caches them for as long as the repository
 * is open (one request); every change is a compare-and-swap on the row, so a change based on a stale read fails as
 * {@code LOCK_FAILURE} instead of overwriting another front's. There are no reflogs.
 */
public final class ClusterRefDatabase extends DfsRefDatabase {
    private static final ReflogReader NO_REFLOG = new ReflogReader() {
        @Override
        public ReflogEntry getLastEntry() {
            return null;
        }

        @Override
        public List<ReflogEntry> getReverseEntries() {
            return List.of();
        }

        @Override
        public ReflogEntry getReverseEntry(int number) {
            return null;
        }

        @Override
        public List<ReflogEntry> getReverseEntries(int max) {
            return List.of();
        }
    };

    private final RepositoryConnection rows;
    private final ClusterObjDatabase objects;

    ClusterRefDatabase(ClusterRepository repository, RepositoryConnection rows, ClusterObjDatabase objects) {
        super(repository);
        this.rows = rows;
        this.objects = objects;
    }

    String repositoryName() {
        return rows.repository();
    }

    RepositoryConnection rows() {
        return rows;
    }

    @Override
    protected RefCache scanAllRefs() throws IOException {
        RefCache refs = rows.read("read the refs", c -> RefRows.scan(c, rows.repository()));
        // A pack's row is committed before any ref that needs it. Listing the packs again after reading the refs
        // therefore finds every object these refs name, even one another front pushed a moment ago.
        objects.forgetPacks();
        return refs;
    }

    @Override
    protected boolean compareAndPut(Ref oldRef, Ref newRef) throws IOException {
        Ref next = newRef;
        if (!next.isSymbolic() && !next.isPeeled()) {
            try (RevWalk walk = new RevWalk(getRepository())) {
                next = RefRows.peeled(walk, newRef.getName(), newRef.getObjectId());
            }
        }
        Ref value = next;
        return rows.transaction("update " + newRef.getName(),
                c -> RefRows.put(c, rows.repository(), oldRef, value));
    }

    @Override
    protected boolean compareAndRemove(Ref oldRef) throws IOException {
        return rows.transaction("delete " + oldRef.getName(), c -> RefRows.remove(c, rows.repository(), oldRef));
    }

    /** Rows are written peeled, so there is nothing to write back. */
    @Override
    protected void cachePeeledState(Ref oldLeaf, Ref newLeaf) {
    }

    @Override
    public BatchRefUpdate newBatchUpdate() {
        return new ClusterBatchRefUpdate(this);
    }

    /** A batch is one database transaction, so {@code git push --atomic} is offered and honoured. */
    @Override
    public boolean performsAtomicTransactions() {
        return true;
    }

    @Override
    public ReflogReader getReflogReader(Ref ref) {
        return NO_REFLOG;
    }
}
