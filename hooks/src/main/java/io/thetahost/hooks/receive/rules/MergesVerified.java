package io.thetahost.hooks.receive.rules;

import io.thetahost.hooks.manifests.FileBlobs;
import io.thetahost.codec.merge.MergeAnalysis;
import io.thetahost.codec.merge.WeightedAverage;
import io.thetahost.hooks.receive.PushContext;
import io.thetahost.hooks.receive.PushedCommit;
import io.thetahost.hooks.receive.checkpoints.CheckpointChange;
import io.thetahost.hooks.receive.checkpoints.ManifestBlobs;
import io.thetahost.hooks.receive.report.Violation;
import io.thetahost.hooks.receive.report.Violations;
import io.thetahost.protocol.manifest.DeclaredMerge;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * A merge commit holds no value neither parent has unless it declares how it got it, and the server can recompute
 * it: each parameter of a checkpoint the merge changed is one parent's tensor, or, where both parents changed it
 * (the client merge driver's three-way analysis, {@link MergeAnalysis}), the merge declared in the manifest's
 * {@code merges}, whose average is recomputed from the parents' tensors bit for bit. Memory: one block of each
 * parent's tensor at a time ({@code CheckLimits.mergeBlockBytes}).
 */
public final class MergesVerified implements CommitRule {
    private static final String FIX = "merge with theta installed (its merge driver declares each merge it makes), "
            + "or give this parameter one parent's tensor";

    @Override
    public String id() {
        return "merge";
    }

    @Override
    public void check(PushedCommit c, Violations out) throws IOException {
        if (!c.isNewToRepository() || c.parents().size() != 2) {
            return;
        }
        RevCommit base = null;
        boolean baseFound = false;
        for (CheckpointChange change : c.changesAgainstAllParents()) {
            Optional<Manifest> result = c.push().manifests().manifest(change.blob());
            if (result.isEmpty()) {
                continue; // not a checkpoint, or one ManifestParses refuses
            }
            if (!baseFound) {
                base = c.push().mergeBase(c.parents().get(0), c.parents().get(1));
                baseFound = true;
            }
            ManifestBlobs blobs = c.push().manifests();
            Manifest ours = blobs.manifestOrNone(change.parentBlobs().get(0));
            Manifest theirs = blobs.manifestOrNone(change.parentBlobs().get(1));
            Manifest o = blobs.manifestOrNone(base == null ? null : blobAt(c.push(), base, change.path()));
            verify(c, change.path(), o, ours, theirs, result.get(), out);
        }
    }

    private void verify(PushedCommit c, String path, Manifest base, Manifest ours, Manifest theirs, Manifest result,
            Violations out) throws IOException {
        MergeAnalysis.Analysis analysis = MergeAnalysis.analyze(base, ours, theirs);
        Set<String> bothChanged = analysis.conflicts().stream().map(MergeAnalysis.Conflict::name)
                .collect(Collectors.toSet());
        Map<String, ManifestTensor> a = byName(ours);
        Map<String, ManifestTensor> b = byName(theirs);
        Map<String, DeclaredMerge> declared = new HashMap<>();
        result.merges().forEach(d -> declared.put(d.name(), d));
        int checked = 0;
        for (ManifestTensor t : result.tensors()) {
            c.push().progress().update("theta: verifying merge " + c.abbreviated() + " " + path + ": " + ++checked
                    + "/" + result.tensors().size() + " parameters");
            ManifestTensor x = a.get(t.name());
            ManifestTensor y = b.get(t.name());
            DeclaredMerge d = declared.get(t.name());
            String problem;
            if (d != null) {
                problem = declaredProblem(c.push(), t, x, y, d, bothChanged.contains(t.name()));
            } else if ((x != null && x.id().equals(t.id())) || (y != null && y.id().equals(t.id()))) {
                problem = null;
            } else if (x == null && y == null) {
                problem = "is in neither parent: a parameter added by the merge itself";
            } else {
                problem = "holds a tensor neither parent has, and the manifest declares no merge for it: a change "
                        + "hidden in a merge";
            }
            if (problem != null) {
                out.add(new Violation(id(), c.abbreviated(), path, t.name(), problem, FIX));
            }
        }
        c.push().progress().done();
        Set<String> kept = result.tensors().stream().map(ManifestTensor::name).collect(Collectors.toSet());
        for (String name : a.keySet()) {
            if (b.containsKey(name) && !kept.contains(name)) {
                out.add(new Violation(id(), c.abbreviated(), path, name, "removed by the merge though both parents "
                        + "have it", FIX));
            }
        }
    }

    /** What is wrong with a declared merge, or null when the server recomputes the same tensor. */
    private static String declaredProblem(PushContext push, ManifestTensor t, ManifestTensor x, ManifestTensor y,
            DeclaredMerge d, boolean bothChanged) throws IOException {
        if (!bothChanged || x == null || y == null) {
            return "declares a merge (" + d.strategy() + ") of a parameter that the two parents did not both change";
        }
        if (!d.ours().equals(x.id()) || !d.theirs().equals(y.id())) {
            return "declares a merge (" + d.strategy() + ") of tensors that are not the parents' (ours must be the "
                    + "first parent's, theirs the second's)";
        }
        if (d.weight() == 1f || d.weight() == 0f) {
            return null; // the manifest format already holds the tensor to the side it names
        }
        if (!WeightedAverage.supports(t.dtype())) {
            return "declares " + d.strategy() + " of " + t.dtype() + " tensors, which cannot be averaged";
        }
        Optional<TensorId> recomputed = average(push, x, y, d.weight());
        if (recomputed.isEmpty()) {
            return "declares " + d.strategy() + ", but a parent's tensor is not on the server to recompute it";
        }
        return recomputed.get().equals(t.id()) ? null : "is not the " + d.strategy() + (d.strategy().equals(
                "weighted") ? " " + d.weight() : "") + " of the parents' tensors it declares: the server recomputed "
                + recomputed.get().abbreviated();
    }

    /** The canonical weighted average's id, streamed a block at a time; empty if a parent's tensor is missing. */
    private static Optional<TensorId> average(PushContext push, ManifestTensor x, ManifestTensor y, float weight)
            throws IOException {
        int width = x.dtype().byteSize();
        int block = Math.max(width, push.limits().mergeBlockBytes() / width * width);
        TensorId.Hasher hasher = TensorId.hasher(x.dtype(), x.shape());
        Optional<InputStream> oa = push.store().open(x.id());
        Optional<InputStream> ob = push.store().open(y.id());
        if (oa.isEmpty() || ob.isEmpty()) {
            oa.ifPresent(MergesVerified::closeQuietly);
            ob.ifPresent(MergesVerified::closeQuietly);
            return Optional.empty();
        }
        try (InputStream ia = oa.get(); InputStream ib = ob.get()) {
            while (true) {
                byte[] pa = ia.readNBytes(block);
                byte[] pb = ib.readNBytes(block);
                if (pa.length != pb.length) {
                    throw new IOException(x.name() + ": the parents' tensors differ in size");
                }
                if (pa.length == 0) {
                    break;
                }
                byte[] mean = WeightedAverage.apply(pa, pb, x.dtype(), weight);
                hasher.update(mean, 0, mean.length);
            }
        }
        return Optional.of(hasher.finish());
    }

    private static ObjectId blobAt(PushContext push, RevCommit commit, String path) throws IOException {
        try (TreeWalk walk = TreeWalk.forPath(push.reader(), path, commit.getTree())) {
            if (walk == null) {
                return null;
            }
            return FileBlobs.blobOf(walk, 0);
        }
    }

    private static Map<String, ManifestTensor> byName(Manifest m) {
        Map<String, ManifestTensor> out = new HashMap<>();
        m.tensors().forEach(t -> out.put(t.name(), t));
        return out;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // only read
        }
    }
}
