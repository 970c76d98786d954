package io.thetahost.hooks.manifests;

import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.treewalk.TreeWalk;

/** Which tree entries can hold a checkpoint or its manifest: files, plain or executable (not links or submodules). */
public final class FileBlobs {
    private FileBlobs() {
    }

    /** The blob of the walk's current entry in {@code tree}, or null if that entry is not a file there. */
    public static ObjectId blobOf(TreeWalk walk, int tree) {
        FileMode mode = walk.getFileMode(tree);
        return mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE ? walk.getObjectId(tree) : null;
    }
}
