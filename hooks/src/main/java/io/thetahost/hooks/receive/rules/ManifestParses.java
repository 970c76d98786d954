package io.thetahost.hooks.receive.rules;

import io.thetahost.hooks.receive.NewCheckpoint;
import io.thetahost.hooks.receive.report.Violation;
import io.thetahost.hooks.receive.report.Violations;

/** A checkpoint at a tracked path, or a blob that opens like a manifest, must be a canonical manifest. */
public final class ManifestParses implements CheckpointRule {
    @Override
    public String id() {
        return "manifest";
    }

    @Override
    public void check(NewCheckpoint c, Violations out) {
        if (c.read().isManifest()) {
            return;
        }
        String fix = c.tracked()
                ? "commit checkpoints with theta installed (theta install), then git add --renormalize " + c.path()
                        + " and commit again"
                : "this file opens like a theta manifest but is not one; re-add its checkpoint with theta, or "
                        + "remove it";
        out.add(new Violation(id(), c.commit(), c.path(), null, "not a theta manifest: " + c.read().problem(),
                fix));
    }
}
