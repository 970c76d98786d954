package io.thetahost.hooks.manifests;

import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.tensor.TensorId;
import java.util.HashSet;
import java.util.Set;

/**
 * The tensor ids the manifests of a {@link HistoryManifests} walk reference: for gc, every id any ref of any
 * repository reaches. A blob that opens like a manifest but does not parse references nothing (it is the pre-receive
 * checks' job to refuse those).
 */
public final class ReferencedTensors implements HistoryManifests.Visitor {
    private final Set<TensorId> ids = new HashSet<>();

    @Override
    public void manifest(String path, Manifest manifest) {
        manifest.tensors().forEach(t -> ids.add(t.id()));
    }

    public Set<TensorId> ids() {
        return ids;
    }
}
