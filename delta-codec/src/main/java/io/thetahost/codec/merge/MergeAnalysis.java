package io.thetahost.codec.merge;

import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.safetensors.GapBytes;
import io.thetahost.protocol.safetensors.SafetensorsHeader;
import io.thetahost.protocol.tensor.TensorId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The parameter-level 3-way merge of two versions of a checkpoint with their merge base: a parameter changed on one
 * side only is taken from it; one changed on both sides (to different values) is a conflict for a strategy; a
 * parameter added or removed is taken from the side that did it, and reported. What cannot be resolved by taking one
 * side's tensor (removed on one side and changed on the other, shapes or dtypes changed on both) is a problem,
 * reported by name. The client's merge driver settles a merge with it; the server checks a pushed merge against it.
 */
public final class MergeAnalysis {

    /** A parameter both sides changed, to tensors of one dtype and shape. */
    public record Conflict(String name, ManifestTensor ours, ManifestTensor theirs) {
    }

    /**
     * @param ids the merged tensor of each parameter settled without a strategy; conflicts are missing
     * @param notes added and removed parameters, one line each
     * @param problems what the merge cannot settle, one line each
     */
    public record Analysis(Map<String, TensorId> ids, List<Conflict> conflicts, List<String> notes, List<String> problems,
            int fromOurs, int fromTheirs, SafetensorsHeader header, List<GapBytes> gaps) {

        /** The merged manifest, once every conflict has a tensor. */
        public Manifest result(Map<String, TensorId> resolved) {
            List<TensorId> out = new ArrayList<>();
            for (var e : header.tensors()) {
                TensorId id = ids.containsKey(e.name()) ? ids.get(e.name()) : resolved.get(e.name());
                out.add(Objects.requireNonNull(id, e.name()));
            }
            return Manifest.of(header, out, gaps);
        }
    }

    private MergeAnalysis() {
    }

    /** @param base the merge base's manifest; an empty one where the base has no checkpoint at that path */
    public static Analysis analyze(Manifest base, Manifest ours, Manifest theirs) {
        Map<String, ManifestTensor> o = byName(base);
        Map<String, ManifestTensor> a = byName(ours);
        Map<String, ManifestTensor> b = byName(theirs);
        Set<String> names = new LinkedHashSet<>(a.keySet());
        names.addAll(b.keySet());
        Map<String, ManifestTensor> result = new LinkedHashMap<>();
        List<Conflict> conflicts = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int fromOurs = 0;
        int fromTheirs = 0;
        for (String name : names) {
            ManifestTensor was = o.get(name);
            ManifestTensor x = a.get(name);
            ManifestTensor y = b.get(name);
            if (x != null && y != null) {
                if (x.id().equals(y.id())) {
                    result.put(name, x);
                } else if (was != null && x.id().equals(was.id())) {
                    result.put(name, y);
                    fromTheirs++;
                } else if (was != null && y.id().equals(was.id())) {
                    result.put(name, x);
                    fromOurs++;
                } else if (x.dtype() != y.dtype() || !x.shape().equals(y.shape())) {
                    problems.add(name + ": changed on both sides to different shapes or dtypes (ours " + x.dtype()
                            + " " + x.shape() + ", theirs " + y.dtype() + " " + y.shape() + ")");
                } else {
                    result.put(name, x); // a placeholder of the right shape; the strategy decides the tensor
                    conflicts.add(new Conflict(name, x, y));
                    if (was == null) {
                        notes.add(name + ": added on both sides");
                    }
                }
            } else {
                ManifestTensor kept = x != null ? x : y;
                String side = x != null ? "ours" : "theirs";
                String other = x != null ? "theirs" : "ours";
                if (was == null) {
                    result.put(name, kept);
                    notes.add(name + ": added by " + side);
                    if (x != null) {
                        fromOurs++;
                    } else {
                        fromTheirs++;
                    }
                } else if (kept.id().equals(was.id())) {
                    notes.add(name + ": removed by " + other);
                } else {
                    problems.add(name + ": removed by " + other + " but changed by " + side);
                }
            }
        }
        SafetensorsHeader header = null;
        List<GapBytes> gaps = null;
        if (problems.isEmpty()) {
            if (sameLayout(result, ours)) {
                header = ours.header();
                gaps = ours.gaps();
            } else if (sameLayout(result, theirs)) {
                header = theirs.header();
                gaps = theirs.gaps();
            } else {
                problems.add("the merged parameters (added, removed or reshaped on both sides) match neither "
                        + "side's checkpoint layout; merge this checkpoint by hand");
            }
        }
        Map<String, TensorId> ids = new LinkedHashMap<>();
        Set<String> open = new LinkedHashSet<>();
        conflicts.forEach(c -> open.add(c.name()));
        result.forEach((name, t) -> {
            if (!open.contains(name)) {
                ids.put(name, t.id());
            }
        });
        return new Analysis(ids, conflicts, notes, problems, fromOurs, fromTheirs, header, gaps);
    }

    /** Whether the merged parameters are exactly a side's, by name, dtype and shape, in its order. */
    private static boolean sameLayout(Map<String, ManifestTensor> result, Manifest side) {
        if (result.size() != side.tensors().size()) {
            return false;
        }
        for (ManifestTensor t : side.tensors()) {
            ManifestTensor r = result.get(t.name());
            if (r == null || r.dtype() != t.dtype() || !r.shape().equals(t.shape())) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, ManifestTensor> byName(Manifest m) {
        Map<String, ManifestTensor> out = new LinkedHashMap<>();
        for (ManifestTensor t : m.tensors()) {
            out.put(t.name(), t);
        }
        return out;
    }
}
