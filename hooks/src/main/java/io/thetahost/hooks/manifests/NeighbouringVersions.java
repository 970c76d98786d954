package io.thetahost.hooks.manifests;

import io.thetahost.objectdb.repack.Neighbours;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The versions of each parameter that lie near each other in one repository's history, for repack
 * (object-db/STORE.md): fed the manifests of a {@link HistoryManifests} walk, newest commits first, each parameter (a
 * path and a name, of one dtype and shape) collects its distinct versions in the order they appear, and each version
 * is paired with the {@link #WINDOW} versions that appeared just before it, as {@code git repack --window} pairs
 * objects of one name. A fine-tune of a base several commits back thus meets the base.
 */
public final class NeighbouringVersions implements HistoryManifests.Visitor {
    /** Versions of a parameter each version is paired with: as many as an upload looks back in history. */
    static final int WINDOW = 8;

    private record Parameter(String path, String name, DType dtype, Shape shape) {
    }

    /** Each parameter's versions, in the order the walk met them. */
    private final Map<Parameter, LinkedHashSet<TensorId>> versions = new HashMap<>();

    @Override
    public void manifest(String path, Manifest manifest) {
        for (ManifestTensor t : manifest.tensors()) {
            versions.computeIfAbsent(new Parameter(path, t.name(), t.dtype(), t.shape()), k -> new LinkedHashSet<>())
                    .add(t.id());
        }
    }

    /** Every version paired with the {@link #WINDOW} met just before it. */
    public Set<Neighbours> pairs() {
        Set<Neighbours> out = new LinkedHashSet<>();
        for (Set<TensorId> set : versions.values()) {
            List<TensorId> ids = new ArrayList<>(set);
            for (int i = 1; i < ids.size(); i++) {
                for (int j = Math.max(0, i - WINDOW); j < i; j++) {
                    out.add(new Neighbours(ids.get(i), ids.get(j)));
                }
            }
        }
        return out;
    }
}
