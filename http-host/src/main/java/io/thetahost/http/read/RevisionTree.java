package io.thetahost.http.read;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/** The files of one commit: one entry by path, or a folder's entries (recursively or not), in git's order. */
public final class RevisionTree {
    /** A file or folder of the commit; {@code size} is the blob's (a tracked checkpoint's is its manifest's). */
    public record Entry(String path, ObjectId id, FileMode mode, long size) {
        public boolean isFolder() {
            return mode == FileMode.TREE;
        }

        /** Regular files and executables; not symbolic links or submodules, which hold no content to serve. */
        public boolean isFile() {
            return mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE;
        }
    }

    private final ObjectReader reader;
    private final RevCommit commit;

    public RevisionTree(ObjectReader reader, RevCommit commit) {
        this.reader = reader;
        this.commit = commit;
    }

    public RevCommit commit() {
        return commit;
    }

    /** The entry at {@code path} (checked by {@link RequestPaths#checkPath}); the root folder for the empty path. */
    public Optional<Entry> entry(String path) throws IOException {
        if (path.isEmpty()) {
            return Optional.of(new Entry("", commit.getTree(), FileMode.TREE, 0));
        }
        try (TreeWalk walk = TreeWalk.forPath(reader, path, commit.getTree())) {
            return walk == null ? Optional.empty() : Optional.of(entry(walk));
        }
    }

    /**
     * The entries below a folder ({@code ""} for the root): its children, or with {@code recursive} every file and
     * folder below it. Folders come before what they hold.
     */
    public List<Entry> list(String folder, boolean recursive) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (TreeWalk walk = new TreeWalk(reader)) {
            walk.addTree(commit.getTree());
            walk.setRecursive(false);
            if (!folder.isEmpty()) {
                walk.setFilter(PathFilter.create(folder));
            }
            String prefix = folder.isEmpty() ? "" : folder + "/";
            while (walk.next()) {
                String path = walk.getPathString();
                boolean inside = path.startsWith(prefix);
                if (inside && (recursive || path.indexOf('/', prefix.length()) < 0)) {
                    entries.add(entry(walk));
                }
                if (walk.isSubtree() && (!inside || recursive)) {
                    walk.enterSubtree();
                }
            }
        }
        return entries;
    }

    private Entry entry(TreeWalk walk) throws IOException {
        return entry(reader, walk, 0);
    }

    /** The walk's current entry in one of its trees; null where that tree has none. */
    public static Entry entry(ObjectReader reader, TreeWalk walk, int tree) throws IOException {
        FileMode mode = walk.getFileMode(tree);
        if (mode == FileMode.MISSING) {
            return null;
        }
        ObjectId id = walk.getObjectId(tree);
        long size = mode.getObjectType() == org.eclipse.jgit.lib.Constants.OBJ_BLOB
                ? reader.getObjectSize(id, org.eclipse.jgit.lib.Constants.OBJ_BLOB) : 0;
        return new Entry(walk.getPathString(), id, mode, size);
    }
}
