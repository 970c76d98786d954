package io.thetahost.hooks.receive.rules;

import io.thetahost.hooks.receive.NewCheckpoint;
import io.thetahost.hooks.receive.report.Violation;
import io.thetahost.hooks.receive.report.Violations;
import io.thetahost.protocol.manifest.ManifestTensor;

/**
 * Every tensor a manifest names must be stored and readable by this repository (uploaded to it or granted to it).
 * A tensor held only for another repository is reported exactly like one stored nowhere, so a push cannot learn
 * what other repositories hold. Reads the store's records, never tensor bytes.
 */
public final class TensorsPresent implements CheckpointRule {
    @Override
    public String id() {
        return "tensors-present";
    }

    @Override
    public void check(NewCheckpoint c, Violations out) {
        if (!c.read().isManifest()) {
            return;
        }
        for (ManifestTensor t : c.read().manifest().tensors()) {
            if (!c.push().store().readable(c.push().storeName(), t.id())) {
                out.add(new Violation(id(), c.commit(), c.path(), t.name(), "tensor " + t.id().abbreviated()
                        + " is not on the server", "push with theta installed (theta install), not --no-verify: "
                        + "theta's pre-push hook uploads the tensors before the commits"));
            }
        }
    }
}
