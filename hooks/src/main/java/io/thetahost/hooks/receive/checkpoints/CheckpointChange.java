package io.thetahost.hooks.receive.checkpoints;

import java.util.List;
import org.eclipse.jgit.lib.ObjectId;

/**
 * A path where a commit's blob differs from the blob at that path in every parent it was compared with.
 *
 * @param blob the commit's blob there, or null where the commit has no file there
 * @param tracked whether the commit's {@code .gitattributes} say {@code filter=theta} for the path
 * @param parentBlobs each compared parent's blob there, in order; null where that parent has no file there
 */
public record CheckpointChange(String path, ObjectId blob, boolean tracked, List<ObjectId> parentBlobs) {
}
