package io.thetahost.hooks.receive.rules;

import io.thetahost.hooks.receive.PushedCommit;
import io.thetahost.hooks.receive.branches.BranchRule;
import io.thetahost.hooks.receive.checkpoints.ParameterChanges;
import io.thetahost.hooks.receive.report.Violation;
import io.thetahost.hooks.receive.report.Violations;
import java.io.IOException;
import java.util.Optional;

/**
 * On a protected branch, a commit keeps the parameters of its first parent: none added or removed, no dtype or shape
 * changed, unless the rule allows shape changes. A root commit has no parent to compare with.
 */
public final class NoShapeChanges implements CommitRule {
    @Override
    public String id() {
        return "protected-shape";
    }

    @Override
    public void check(PushedCommit c, Violations out) throws IOException {
        Optional<BranchRule> rule = c.update().rules().stream().filter(r -> !r.allowShapeChanges()).findFirst();
        if (rule.isEmpty()) {
            return;
        }
        for (PushedCommit.ChangedParameter changed : c.changedParameters()) {
            ParameterChanges.Change p = changed.change();
            if (p.changesShape()) {
                out.add(new Violation(id(), c.abbreviated(), changed.path(), p.name(), p.describeShape()
                        + ", and branch " + c.update().branch() + " is protected (rule '" + rule.get().pattern()
                        + "') against shape changes", "an admin can allow them: thetahost repo protect "
                        + c.push().storeName() + " " + rule.get().allowingShapeChanges().describe()));
            }
        }
    }
}
