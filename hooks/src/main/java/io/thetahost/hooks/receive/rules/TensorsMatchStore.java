package io.thetahost.hooks.receive.rules;

import io.thetahost.hooks.receive.NewCheckpoint;
import io.thetahost.hooks.receive.report.Violation;
import io.thetahost.hooks.receive.report.Violations;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.protocol.manifest.ManifestTensor;
import java.util.Optional;

/** Each tensor's dtype and shape in the manifest must be the stored tensor's. Reads records, never tensor bytes. */
public final class TensorsMatchStore implements CheckpointRule {
    @Override
    public String id() {
        return "tensor-shape";
    }

    @Override
    public void check(NewCheckpoint c, Violations out) {
        if (!c.read().isManifest()) {
            return;
        }
        for (ManifestTensor t : c.read().manifest().tensors()) {
            if (!c.push().store().readable(c.push().storeName(), t.id())) {
                // TensorsPresent reports it. Asking the store again costs two point reads per tensor; keeping every
                // answer from TensorsPresent would cost memory per tensor, and a manifest may name 200,000.
                continue;
            }
            Optional<TensorMeta> meta = c.push().store().meta(t.id());
            if (meta.isPresent() && (meta.get().dtype() != t.dtype() || !meta.get().shape().equals(t.shape()))) {
                out.add(new Violation(id(), c.commit(), c.path(), t.name(), "the manifest says " + t.dtype() + " "
                        + t.shape() + " but the stored tensor is " + meta.get().dtype() + " " + meta.get().shape(),
                        "the manifest was edited by hand or by another tool: re-add the checkpoint with theta "
                                + "(git add " + c.path() + ") and commit again"));
            }
        }
    }
}
