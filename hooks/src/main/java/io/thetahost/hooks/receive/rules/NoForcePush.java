package io.thetahost.hooks.receive.rules;

import io.thetahost.hooks.receive.RefUpdate;
import io.thetahost.hooks.receive.branches.BranchRule;
import io.thetahost.hooks.receive.report.Violation;
import io.thetahost.hooks.receive.report.Violations;

/** A protected branch moves only forward, unless every rule covering it allows force pushes. */
public final class NoForcePush implements RefRule {
    @Override
    public String id() {
        return "protected-force-push";
    }

    @Override
    public void check(RefUpdate u, Violations out) {
        if (!u.isNonFastForward()) {
            return;
        }
        for (BranchRule rule : u.rules()) {
            if (!rule.allowForcePush()) {
                out.add(new Violation(id(), null, null, null, "branch " + u.branch() + " is protected (rule '"
                        + rule.pattern() + "'): a non-fast-forward update (force push) would drop its commits",
                        "fetch and merge the branch (or rebase onto it) and push again; or an admin can run: "
                                + "thetahost repo protect " + u.push().storeName() + " "
                                + rule.allowingForcePush().describe()));
                return;
            }
        }
    }
}
