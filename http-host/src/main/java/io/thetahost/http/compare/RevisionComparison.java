package io.thetahost.http.compare;

import io.thetahost.hooks.receive.checkpoints.ManifestBlobs;
import io.thetahost.http.read.RepositoryReader;
import io.thetahost.http.read.RevisionTree;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestTensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * What changed from one revision to another, file by file, and for tracked checkpoints parameter by parameter: added,
 * removed, unchanged (the same tensor id), or changed, measured ({@link TensorDifference}) when asked, with how the
 * server stores the new version.
 */
public final class RevisionComparison {
    /** A file that differs; {@code parameters} is empty for a file that is not a tracked checkpoint on either side. */
    public record FileChange(String path, String status, boolean checkpoint, List<ParameterChange> parameters) {
        public long count(ParameterChange.Status status) {
            return parameters.stream().filter(p -> p.status() == status).count();
        }
    }

    public record Result(RevCommit from, RevCommit to, List<FileChange> files) {
        /** Parameters added, removed or changed, over every checkpoint. */
        public long changedParameters() {
            return files.stream().flatMap(f -> f.parameters().stream())
                    .filter(p -> p.status() != ParameterChange.Status.UNCHANGED).count();
        }
    }

    private final RepositoryReader repo;
    private final DifferenceCache cache;

    public RevisionComparison(RepositoryReader repo, DifferenceCache cache) {
        this.repo = repo;
        this.cache = cache;
    }

    /**
     * Compares two revisions; {@code from} may be null (a root commit: everything is added).
     *
     * @param measure whether to read changed tensors to measure their change (else only ids are compared)
     */
    public Result compare(RevisionTree from, RevisionTree to, boolean measure) throws IOException {
        List<FileChange> files = new ArrayList<>();
        ObjectReader reader = repo.repository().newObjectReader();
        try (reader; TreeWalk walk = new TreeWalk(reader)) {
            if (from == null) {
                walk.addTree(new org.eclipse.jgit.treewalk.EmptyTreeIterator());
            } else {
                walk.addTree(from.commit().getTree());
            }
            walk.addTree(to.commit().getTree());
            walk.setRecursive(true);
            walk.setFilter(TreeFilter.ANY_DIFF);
            while (walk.next()) {
                String path = walk.getPathString();
                RevisionTree.Entry before = RevisionTree.entry(reader, walk, 0);
                RevisionTree.Entry after = RevisionTree.entry(reader, walk, 1);
                String status = before == null ? "added" : after == null ? "removed" : "changed";
                Optional<Manifest> a = before == null ? Optional.empty() : repo.manifest(before);
                Optional<Manifest> b = after == null ? Optional.empty() : repo.manifest(after);
                if (a.isEmpty() && b.isEmpty()) {
                    files.add(new FileChange(path, status, false, List.of()));
                } else {
                    files.add(new FileChange(path, status, true, parameters(a.orElse(ManifestBlobs.NONE),
                            b.orElse(ManifestBlobs.NONE), measure)));
                }
            }
        }
        return new Result(from == null ? null : from.commit(), to.commit(), files);
    }

    /** The parameters of {@code after} in its file order, then those only {@code before} has. */
    List<ParameterChange> parameters(Manifest before, Manifest after, boolean measure) throws IOException {
        Map<String, ManifestTensor> old = new LinkedHashMap<>();
        for (ManifestTensor t : before.tensors()) {
            old.put(t.name(), t);
        }
        List<ParameterChange> changes = new ArrayList<>();
        for (ManifestTensor t : after.tensors()) {
            ManifestTensor was = old.remove(t.name());
            if (was == null) {
                changes.add(stored(new ParameterChange(t.name(), ParameterChange.Status.ADDED, null, t, null, null,
                        null, 0)));
            } else if (was.id().equals(t.id())) {
                changes.add(new ParameterChange(t.name(), ParameterChange.Status.UNCHANGED, was, t, null, null, null,
                        0));
            } else {
                TensorDifference.Result d = measure ? measure(was, t) : null;
                changes.add(stored(new ParameterChange(t.name(), ParameterChange.Status.CHANGED, was, t,
                        d == null ? null : d.relativeL2(), d == null ? null : d.fractionChanged(), null, 0)));
            }
        }
        for (ManifestTensor gone : old.values()) {
            changes.add(new ParameterChange(gone.name(), ParameterChange.Status.REMOVED, gone, null, null, null,
                    null, 0));
        }
        return changes;
    }

    /** The change with how the server stores its new tensor, when it does. */
    private ParameterChange stored(ParameterChange c) {
        Optional<TensorMeta> meta = repo.context().store().readable(repo.name().toString(), c.after().id())
                ? repo.context().store().meta(c.after().id()) : Optional.empty();
        return meta.map(m -> new ParameterChange(c.name(), c.status(), c.before(), c.after(), c.relativeL2(),
                c.fractionChanged(), m.kind().displayName(), m.encodedBytes())).orElse(c);
    }

    private TensorDifference.Result measure(ManifestTensor before, ManifestTensor after) throws IOException {
        if (before.dtype() != after.dtype() || !before.shape().equals(after.shape())) {
            return null;
        }
        TensorDifference.Result cached = cache.get(before.id(), after.id());
        if (cached != null) {
            return cached;
        }
        String name = repo.name().toString();
        if (!repo.context().store().readable(name, before.id()) || !repo.context().store().readable(name,
                after.id())) {
            return null;
        }
        try (InputStream a = repo.context().store().open(before.id()).orElseThrow();
                InputStream b = repo.context().store().open(after.id()).orElseThrow()) {
            TensorDifference.Result d = TensorDifference.of(after.dtype(), after.shape().elements(), a, b);
            cache.put(before.id(), after.id(), d);
            return d;
        }
    }
}
