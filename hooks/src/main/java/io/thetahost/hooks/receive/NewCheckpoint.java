package io.thetahost.hooks.receive;

import io.thetahost.hooks.receive.checkpoints.ManifestBlobs;
import org.eclipse.jgit.lib.ObjectId;

/**
 * A checkpoint blob a push brings, where it was first seen (commit and path), and the blob read as a manifest.
 *
 * @param tracked whether the path's {@code .gitattributes} say {@code filter=theta} (else the blob only opens like a
 *     manifest)
 */
public record NewCheckpoint(PushContext push, String commit, String path, ObjectId blob, boolean tracked,
        ManifestBlobs.Read read) {
}
