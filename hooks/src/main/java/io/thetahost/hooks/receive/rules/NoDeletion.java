package io.thetahost.hooks.receive.rules;

import io.thetahost.hooks.receive.RefUpdate;
import io.thetahost.hooks.receive.branches.BranchRule;
import io.thetahost.hooks.receive.report.Violation;
import io.thetahost.hooks.receive.report.Violations;

/** A protected branch may not be deleted. */
public final class NoDeletion implements RefRule {
    @Override
    public String id() {
        return "protected-delete";
    }

    @Override
    public void check(RefUpdate u, Violations out) {
        if (!u.isDeletion() || !u.isProtected()) {
            return;
        }
        BranchRule rule = u.rules().get(0);
        out.add(new Violation(id(), null, null, null, "branch " + u.branch() + " is protected (rule '"
                + rule.pattern() + "') and may not be deleted", "an admin can lift the rule: thetahost repo "
                + "unprotect " + u.push().storeName() + " '" + rule.pattern() + "'"));
    }
}
