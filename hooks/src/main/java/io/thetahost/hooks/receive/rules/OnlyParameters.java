package io.thetahost.hooks.receive.rules;

import io.thetahost.hooks.receive.PushedCommit;
import io.thetahost.hooks.receive.branches.BranchRule;
import io.thetahost.hooks.receive.report.Violation;
import io.thetahost.hooks.receive.report.Violations;
import java.io.IOException;
import java.util.function.Predicate;

/**
 * On a branch whose rule names {@code --only-parameters}, a commit changes (adds, removes or alters) only parameters
 * matching one of the globs: an adapters-only or LoRA-only branch. Compared with the first parent; a root commit
 * has none.
 */
public final class OnlyParameters implements CommitRule {
    @Override
    public String id() {
        return "protected-parameters";
    }

    @Override
    public void check(PushedCommit c, Violations out) throws IOException {
        for (BranchRule rule : c.update().rules()) {
            if (rule.onlyParameters().isEmpty()) {
                continue;
            }
            Predicate<String> allowed = rule.changeable();
            for (PushedCommit.ChangedParameter changed : c.changedParameters()) {
                String name = changed.change().name();
                if (!allowed.test(name)) {
                    out.add(new Violation(id(), c.abbreviated(), changed.path(), name, "changed, but on "
                            + c.update().branch() + " only parameters matching " + String.join(", ",
                            rule.onlyParameters()) + " may change (rule '" + rule.pattern() + "')",
                            "push this change to another branch, or leave " + name + " as it is"));
                }
            }
        }
    }
}
