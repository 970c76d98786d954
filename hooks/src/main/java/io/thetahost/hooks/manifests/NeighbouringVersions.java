package io.thetahost.hooks.manifests;

import io.thetahost.objectdb.repack.Neighbours;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.lib.Repository;

/**
 * The versions of each parameter that lie near each other in a repository's history, for repack (object-db/STORE.md):
 * walking the commits every ref reaches, newest first, each parameter (a path and a name, of one dtype and shape)
 * collects its distinct versions in the order they appear, and each version is paired with the {@link #WINDOW}
 * versions that appeared just before it, as {@code git repack --window} pairs objects of one name. A fine-tune of a
 * base several commits back thus meets the base. Each tree and each blob is read once.
 */
public final class NeighbouringVersions {
    /** Versions of a parameter each version is paired with: as many as an upload looks back in history. */
    static final int WINDOW = 8;

    private NeighbouringVersions() {
    }

    private record Parameter(String path, String name, DType dtype, Shape shape) {
    }

    public static Set<Neighbours> in(Repository repository, long maxManifestBytes) throws IOException {
        Map<Parameter, List<TensorId>> versions = new HashMap<>();
        Map<Parameter, Set<TensorId>> seen = new HashMap<>();
        HistoryManifests.walk(repository, maxManifestBytes, (path, manifest) -> {
            for (ManifestTensor t : manifest.tensors()) {
                Parameter p = new Parameter(path, t.name(), t.dtype(), t.shape());
                if (seen.computeIfAbsent(p, k -> new HashSet<>()).add(t.id())) {
                    versions.computeIfAbsent(p, k -> new ArrayList<>()).add(t.id());
                }
            }
        });
        Set<Neighbours> out = new LinkedHashSet<>();
        for (List<TensorId> ids : versions.values()) {
            for (int i = 1; i < ids.size(); i++) {
                for (int j = Math.max(0, i - WINDOW); j < i; j++) {
                    out.add(new Neighbours(ids.get(i), ids.get(j)));
                }
            }
        }
        return out;
    }
}
