package io.thetahost.hooks.receive.checkpoints;

import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parameters that differ between two versions of a checkpoint: added, removed, or holding another tensor. */
public final class ParameterChanges {
    /**
     * One changed parameter.
     *
     * @param before its tensor before, or null where it was added
     * @param after its tensor after, or null where it was removed
     */
    public record Change(String name, ManifestTensor before, ManifestTensor after) {
        /** Whether the change adds or removes the parameter, or changes its dtype or shape. */
        public boolean changesShape() {
            return before == null || after == null || before.dtype() != after.dtype()
                    || !before.shape().equals(after.shape());
        }

        /** How the shape changed, for a person: {@code added (F32 [2, 3])}, {@code F32 [2] -> F32 [3]}. */
        public String describeShape() {
            if (before == null) {
                return "added (" + after.dtype() + " " + after.shape() + ")";
            }
            if (after == null) {
                return "removed (was " + before.dtype() + " " + before.shape() + ")";
            }
            return before.dtype() + " " + before.shape() + " -> " + after.dtype() + " " + after.shape();
        }
    }

    private ParameterChanges() {
    }

    /** @param before null where there was no checkpoint; likewise {@code after} */
    public static List<Change> between(Manifest before, Manifest after) {
        Map<String, ManifestTensor> old = byName(before);
        List<Change> out = new ArrayList<>();
        for (ManifestTensor t : after == null ? List.<ManifestTensor>of() : after.tensors()) {
            ManifestTensor was = old.remove(t.name());
            if (was == null || !was.id().equals(t.id())) {
                out.add(new Change(t.name(), was, t));
            }
        }
        old.values().forEach(was -> out.add(new Change(was.name(), was, null)));
        return out;
    }

    private static Map<String, ManifestTensor> byName(Manifest m) {
        Map<String, ManifestTensor> out = new LinkedHashMap<>();
        if (m != null) {
            m.tensors().forEach(t -> out.put(t.name(), t));
        }
        return out;
    }
}
