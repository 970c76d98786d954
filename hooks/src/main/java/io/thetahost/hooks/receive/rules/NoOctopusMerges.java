package io.thetahost.hooks.receive.rules;

import io.thetahost.hooks.receive.PushedCommit;
import io.thetahost.hooks.receive.checkpoints.CheckpointChange;
import io.thetahost.hooks.receive.report.Violation;
import io.thetahost.hooks.receive.report.Violations;
import java.io.IOException;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;

/** A merge of more than two parents may not touch a checkpoint: parameter merges are verified two parents at a time. */
public final class NoOctopusMerges implements CommitRule {
    @Override
    public String id() {
        return "merge-octopus";
    }

    @Override
    public void check(PushedCommit c, Violations out) throws IOException {
        if (!c.isNewToRepository() || c.parents().size() <= 2) {
            return;
        }
        for (RevCommit parent : c.parents()) {
            for (CheckpointChange change : c.changes(List.of(parent))) {
                if (change.tracked() || isManifest(c, change.blob()) || isManifest(c, change.parentBlobs().get(0))) {
                    out.add(new Violation(id(), c.abbreviated(), change.path(), null, "a merge of "
                            + c.parents().size() + " parents changes this checkpoint; theta verifies merges of two "
                            + "parents only", "merge the branches one at a time"));
                    return;
                }
            }
        }
    }

    private static boolean isManifest(PushedCommit c, ObjectId blob) throws IOException {
        return blob != null && c.push().manifests().opensLikeManifest(blob);
    }
}
