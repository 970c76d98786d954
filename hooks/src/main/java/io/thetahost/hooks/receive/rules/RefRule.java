package io.thetahost.hooks.receive.rules;

import io.thetahost.hooks.receive.RefUpdate;
import io.thetahost.hooks.receive.report.Violations;
import java.io.IOException;

/** A rule about a ref update as such (its kind: deletion, force push), whatever the commits. */
public interface RefRule extends PushRule {
    void check(RefUpdate update, Violations out) throws IOException;
}
