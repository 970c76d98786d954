package io.thetahost.hooks.receive;

import io.thetahost.hooks.receive.checkpoints.ManifestBlobs;
import io.thetahost.objectdb.TensorStore;
import java.io.IOException;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;

/**
 * What the checks of one push share: the repository and its name in the tensor store (whose grants decide what it
 * may reference), the store, the limits, and one reader, walk and manifest cache for the whole push.
 */
public record PushContext(Repository repository, String storeName, TensorStore store, CheckLimits limits,
        ObjectReader reader, RevWalk walk, ManifestBlobs manifests, RemoteProgress progress) {

    /** Git's merge base of two commits (the first, where there are several), or null for unrelated histories. */
    public RevCommit mergeBase(RevCommit a, RevCommit b) throws IOException {
        try (RevWalk bases = new RevWalk(reader)) {
            bases.setRevFilter(RevFilter.MERGE_BASE);
            bases.markStart(bases.parseCommit(a));
            bases.markStart(bases.parseCommit(b));
            return bases.next();
        }
    }

    /** The abbreviated id a person reads in a rejection. */
    public String abbreviate(org.eclipse.jgit.lib.AnyObjectId id) {
        return id.abbreviate(7).name();
    }
}
