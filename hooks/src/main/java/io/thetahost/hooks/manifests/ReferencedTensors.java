package io.thetahost.hooks.manifests;

import io.thetahost.hooks.receive.checkpoints.ManifestBlobs;
import io.thetahost.protocol.manifest.InvalidManifestException;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.tensor.TensorId;
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
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * The tensor ids a repository's history references: every manifest blob reachable from any ref. A blob is taken
 * for a manifest by its first bytes, the fixed opening the canonical manifest format always writes, and then read
 * whole only if it is small enough to be one; a blob that opens like a manifest but does not parse is skipped (it is
 * the pre-receive checks' job to refuse those). Each blob is read once however many commits share it.
 */
public final class ReferencedTensors {
    private static final byte[] OPENING = ManifestBlobs.OPENING;

    private ReferencedTensors() {
    }

    public static Set<TensorId> in(Repository repository, long maxManifestBytes) throws IOException {
        Set<TensorId> ids = new HashSet<>();
        Set<ObjectId> seenBlobs = new HashSet<>();
        Set<ObjectId> seenTrees = new HashSet<>();
        try (RevWalk walk = new RevWalk(repository); ObjectReader reader = repository.newObjectReader()) {
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
                        if (blob != null && seenBlobs.add(blob.copy())) {
                            read(reader, blob, maxManifestBytes, ids);
                        }
                    }
                }
            }
        }
        return ids;
    }

    private static void read(ObjectReader reader, ObjectId blob, long maxManifestBytes, Set<TensorId> ids)
            throws IOException {
        manifest(reader, blob, maxManifestBytes).ifPresent(m -> m.tensors().forEach(t -> ids.add(t.id())));
    }

    /**
     * The blob read as a manifest: only if it opens like one and is small enough to be one, and then parses; anything
     * else references no tensor.
     */
    public static Optional<Manifest> manifest(ObjectReader reader, ObjectId blob, long maxManifestBytes)
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
