package io.thetahost.hooks.receive;

import io.thetahost.hooks.receive.checkpoints.ChangedCheckpoints;
import io.thetahost.hooks.receive.checkpoints.CheckpointChange;
import io.thetahost.hooks.receive.checkpoints.ManifestBlobs;
import io.thetahost.hooks.receive.checkpoints.ParameterChanges;
import io.thetahost.protocol.manifest.Manifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A commit a ref update brings: new to the branch, and perhaps new to the repository (then the manifest and merge
 * checks look at it too; what the repository already had was checked when it came). The files it changed are
 * computed once, whichever rules ask.
 */
public final class PushedCommit {
    private final RefUpdate update;
    private final RevCommit commit;
    private final boolean newToRepository;
    private List<CheckpointChange> againstFirstParent;
    private List<CheckpointChange> againstAllParents;
    private List<ChangedParameter> changedParameters;

    /** A parameter the commit changed in the checkpoint at {@code path}, against its first parent. */
    public record ChangedParameter(String path, ParameterChanges.Change change) {
    }

    public PushedCommit(RefUpdate update, RevCommit commit, boolean newToRepository) {
        this.update = update;
        this.commit = commit;
        this.newToRepository = newToRepository;
    }

    public RefUpdate update() {
        return update;
    }

    public RevCommit commit() {
        return commit;
    }

    public boolean isNewToRepository() {
        return newToRepository;
    }

    public PushContext push() {
        return update.push();
    }

    public String abbreviated() {
        return push().abbreviate(commit);
    }

    public List<RevCommit> parents() {
        return Arrays.asList(commit.getParents());
    }

    /** What the commit changed on the branch it was made on: the files that differ from its first parent's. */
    public List<CheckpointChange> changesAgainstFirstParent() throws IOException {
        if (againstFirstParent == null) {
            againstFirstParent = changes(parents().isEmpty() ? List.of() : parents().subList(0, 1));
        }
        return againstFirstParent;
    }

    /**
     * The parameters the commit added, removed or changed against its first parent, checkpoint by checkpoint (a file
     * that is not a manifest has none). Empty for a root commit, which has nothing to compare with.
     */
    public List<ChangedParameter> changedParameters() throws IOException {
        if (changedParameters == null) {
            List<ChangedParameter> out = new ArrayList<>();
            if (!parents().isEmpty()) {
                ManifestBlobs blobs = push().manifests();
                for (CheckpointChange c : changesAgainstFirstParent()) {
                    Manifest before = blobs.manifest(c.parentBlobs().get(0)).orElse(null);
                    Manifest after = blobs.manifest(c.blob()).orElse(null);
                    ParameterChanges.between(before, after).forEach(p -> out.add(new ChangedParameter(c.path(), p)));
                }
            }
            changedParameters = out;
        }
        return changedParameters;
    }

    /** The files whose content no parent has: all that a merge (or any commit) brings of its own. */
    public List<CheckpointChange> changesAgainstAllParents() throws IOException {
        if (againstAllParents == null) {
            againstAllParents = parents().size() == 1 ? changesAgainstFirstParent() : changes(parents());
        }
        return againstAllParents;
    }

    /** Files that differ from every one of {@code against}; every file after a change of {@code .gitattributes},
     * which can make an old file a tracked checkpoint. */
    public List<CheckpointChange> changes(List<RevCommit> against) throws IOException {
        for (RevCommit p : against) {
            push().walk().parseHeaders(p);
        }
        boolean every = !against.isEmpty()
                && ChangedCheckpoints.changesAttributes(push().reader(), commit, against);
        return ChangedCheckpoints.of(push().reader(), commit, against, every);
    }
}
