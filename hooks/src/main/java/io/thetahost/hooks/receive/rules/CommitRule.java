package io.thetahost.hooks.receive.rules;

import io.thetahost.hooks.receive.PushedCommit;
import io.thetahost.hooks.receive.report.Violations;
import java.io.IOException;

/**
 * A rule about each commit a ref update brings to its branch. A rule about content checks only commits
 * {@link PushedCommit#isNewToRepository() new to the repository}; a branch rule checks every commit new to the branch.
 */
public interface CommitRule extends PushRule {
    void check(PushedCommit commit, Violations out) throws IOException;
}
