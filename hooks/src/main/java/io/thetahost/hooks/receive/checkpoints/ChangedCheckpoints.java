package io.thetahost.hooks.receive.checkpoints;

import io.thetahost.hooks.manifests.FileBlobs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.attributes.Attribute;
import org.eclipse.jgit.attributes.AttributesNode;
import org.eclipse.jgit.attributes.AttributesNodeProvider;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * Finds the files a commit changed against some of its parents, with whether its own {@code .gitattributes} track
 * each with theta. Only subtrees that differ from every compared parent are read, so the cost grows with what
 * changed, not with the size of the tree.
 */
public final class ChangedCheckpoints {
    /** Attributes come from the commit's own tree only: the server's global and info attribute files do not count. */
    private static final AttributesNodeProvider TREE_ONLY = new AttributesNodeProvider() {
        @Override
        public AttributesNode getInfoAttributesNode() {
            return null;
        }

        @Override
        public AttributesNode getGlobalAttributesNode() {
            return null;
        }
    };

    private ChangedCheckpoints() {
    }

    /**
     * The files of {@code commit} that differ from every one of {@code parents} (all of them for a root commit or
     * when {@code everyFile}), and files the parents have that the commit removed.
     */
    public static List<CheckpointChange> of(ObjectReader reader, RevCommit commit, List<RevCommit> parents,
            boolean everyFile) throws IOException {
        List<CheckpointChange> out = new ArrayList<>();
        try (TreeWalk walk = new TreeWalk(null, reader)) {
            walk.setAttributesNodeProvider(TREE_ONLY);
            walk.addTree(commit.getTree());
            for (RevCommit p : parents) {
                walk.addTree(p.getTree());
            }
            walk.setRecursive(true);
            walk.setFilter(everyFile || parents.isEmpty() ? TreeFilter.ALL : DiffersFromEveryParent.INSTANCE);
            while (walk.next()) {
                ObjectId blob = FileBlobs.blobOf(walk, 0);
                List<ObjectId> parentBlobs = new ArrayList<>();
                for (int i = 1; i < walk.getTreeCount(); i++) {
                    parentBlobs.add(FileBlobs.blobOf(walk, i));
                }
                if (blob == null && parentBlobs.stream().allMatch(b -> b == null)) {
                    continue;
                }
                Attribute filter = walk.getAttributes(0).get("filter");
                boolean tracked = filter != null && "theta".equals(filter.getValue());
                out.add(new CheckpointChange(walk.getPathString(), blob, tracked, parentBlobs));
            }
        }
        return out;
    }

    /** Whether the commit changes any {@code .gitattributes} against its parents: then every file is looked at. */
    public static boolean changesAttributes(ObjectReader reader, RevCommit commit, List<RevCommit> parents)
            throws IOException {
        try (TreeWalk walk = new TreeWalk(null, reader)) {
            walk.addTree(commit.getTree());
            for (RevCommit p : parents) {
                walk.addTree(p.getTree());
            }
            walk.setRecursive(true);
            walk.setFilter(TreeFilter.ANY_DIFF);
            while (walk.next()) {
                if (walk.getNameString().equals(".gitattributes")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Enters a path only where the commit's entry differs from the entry of every other tree in the walk. */
    private static final class DiffersFromEveryParent extends TreeFilter {
        static final DiffersFromEveryParent INSTANCE = new DiffersFromEveryParent();

        @Override
        public boolean include(TreeWalk walk) {
            for (int i = 1; i < walk.getTreeCount(); i++) {
                if (walk.getRawMode(0) == walk.getRawMode(i) && walk.idEqual(0, i)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean shouldBeRecursive() {
            return false;
        }

        @Override
        public TreeFilter clone() {
            return this;
        }
    }
}
