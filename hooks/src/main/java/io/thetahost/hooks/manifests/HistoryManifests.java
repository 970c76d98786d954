package io.thetahost.hooks.manifests;

import io.thetahost.hooks.receive.checkpoints.ManifestBlobs;
import io.thetahost.protocol.manifest.InvalidManifestException;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Every manifest in a repository's history: the commits any ref reaches, newest first, and in each the files whose
 * blobs are manifests. A blob is taken for a manifest by its first bytes, the fixed opening the canonical manifest
 * format always writes, and then read whole only if it is small enough to be one and kept only if it parses. Each
 * tree is walked once and each (path, blob) read once, however many commits share them.
 */
public final class HistoryManifests {
    private static final byte[] OPENING = ManifestBlobs.OPENING;

    private HistoryManifests() {
    }

    /** What a walk hands each manifest to, with the path it was found at. */
    public interface Visitor {
        void manifest(String path, Manifest manifest);
    }

    public static void walk(Repository repository, long maxManifestBytes, Visitor visitor) throws IOException {
        Set<ObjectId> seenTrees = new HashSet<>();
        Set<String> seenFiles = new HashSet<>();
        try (RevWalk walk = new RevWalk(repository); ObjectReader reader = repository.newObjectReader()) {
            walk.sort(RevSort.COMMIT_TIME_DESC);
            for (Ref ref : repository.getRefDatabase().getRefs()) {
                ObjectId target = ref.getPeeledObjectId() != null ? ref.getPeeledObjectId() : ref.getObjectId();
                if (target == null) {
                    continue;
                }
                try {
                    walk.markStart(walk.parseCommit(target));
                } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException notACommit) {
                    // A tag of a tree or blob: not part of history a checkout can reach.
                }
            }
            for (RevCommit commit : walk) {
                if (!seenTrees.add(commit.getTree().copy())) {
                    continue;
                }
                try (TreeWalk tree = new TreeWalk(reader)) {
                    tree.addTree(commit.getTree());
                    tree.setRecursive(true);
                    while (tree.next()) {
                        ObjectId blob = FileBlobs.blobOf(tree, 0);
                        if (blob == null || !seenFiles.add(tree.getPathString() + '\0' + blob.name())) {
                            continue;
                        }
                        Optional<Manifest> m = manifest(reader, blob, maxManifestBytes);
                        if (m.isPresent()) {
                            visitor.manifest(tree.getPathString(), m.get());
                        }
                    }
                }
            }
        }
    }

    /** The blob read as a manifest: only if it opens like one, is small enough to be one, and parses. */
    private static Optional<Manifest> manifest(ObjectReader reader, ObjectId blob, long maxManifestBytes)
            throws IOException {
        ObjectLoader loader = reader.open(blob, Constants.OBJ_BLOB);
        if (loader.getSize() < OPENING.length || loader.getSize() > maxManifestBytes) {
            return Optional.empty();
        }
        try (InputStream in = loader.openStream()) {
            if (!Arrays.equals(in.readNBytes(OPENING.length), OPENING)) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(ManifestFormat.read(loader.getBytes()));
        } catch (InvalidManifestException e) {
            return Optional.empty();
        }
    }
}
