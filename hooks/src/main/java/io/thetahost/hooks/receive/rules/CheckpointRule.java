package io.thetahost.hooks.receive.rules;

import io.thetahost.hooks.receive.NewCheckpoint;
import io.thetahost.hooks.receive.report.Violations;
import java.io.IOException;

/** A rule about each checkpoint blob new in a push, checked once per blob whatever the commits that hold it. */
public interface CheckpointRule extends PushRule {
    void check(NewCheckpoint checkpoint, Violations out) throws IOException;
}
