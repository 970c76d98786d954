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
import org.eclipse.jgit.lib.Repository;

/**
 * The tensor ids a repository's history references: every manifest blob reachable from any ref. A blob is taken
 * for a manifest by its first bytes, the fixed opening the canonical manifest format always writes, and then read
 * whole only if it is small enough to be one; a blob that opens like a manifest but does not parse is skipped (it is
 * the pre-receive checks' job to refuse those). The walk is {@link HistoryManifests}'s.
 */
public final class ReferencedTensors {
    private static final byte[] OPENING = ManifestBlobs.OPENING;

    private ReferencedTensors() {
    }

    public static Set<TensorId> in(Repository repository, long maxManifestBytes) throws IOException {
        Set<TensorId> ids = new HashSet<>();
        HistoryManifests.walk(repository, maxManifestBytes, (path, m) -> m.tensors().forEach(t -> ids.add(t.id())));
        return ids;
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
