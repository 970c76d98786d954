package io.thetahost.hooks.receive;

import io.thetahost.hooks.manifests.FileBlobs;
import io.thetahost.codec.merge.MergeAnalysis;
import io.thetahost.hooks.receive.checkpoints.ManifestBlobs;
import io.thetahost.protocol.manifest.Manifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * {@code git push -o theta.check-merge=BRANCH}: for each pushed ref, what a merge with BRANCH would have to resolve,
 * as the client merge driver's three-way analysis sees it (parameters both sides changed since the merge base to
 * different tensors, and changes no strategy settles), said in {@code remote:} lines; the push goes on.
 */
final class CheckMergeReport {
    static final String OPTION = "theta.check-merge";

    private final PushContext push;
    private final String branch;
    private final RevCommit branchTip;

    private CheckMergeReport(PushContext push, String branch, RevCommit branchTip) {
        this.push = push;
        this.branch = branch;
        this.branchTip = branchTip;
    }

    /**
     * The report the push options ask for, if any.
     *
     * @throws IllegalArgumentException naming a branch the repository does not have, or a malformed option
     */
    static Optional<CheckMergeReport> requested(List<String> options, PushContext push) throws IOException {
        if (options == null) {
            return Optional.empty();
        }
        String branch = null;
        for (String option : options) {
            if (option.equals(OPTION) || option.startsWith(OPTION + "=")) {
                if (branch != null) {
                    throw new IllegalArgumentException(OPTION + " given twice; check one branch per push");
                }
                branch = option.length() > OPTION.length() ? option.substring(OPTION.length() + 1) : "";
                if (branch.isEmpty()) {
                    throw new IllegalArgumentException(OPTION + " needs a branch: git push -o " + OPTION + "=main");
                }
            }
        }
        if (branch == null) {
            return Optional.empty();
        }
        String name = branch.startsWith(Constants.R_REFS) ? branch : Constants.R_HEADS + branch;
        Ref ref = push.repository().getRefDatabase().exactRef(name);
        Optional<RevCommit> tip = ref == null ? Optional.empty() : CheckedPush.commitOf(push.walk(), ref.getObjectId());
        if (tip.isEmpty()) {
            throw new IllegalArgumentException(OPTION + ": there is no branch '" + branch + "' in " + push.storeName()
                    + " to check a merge with (git ls-remote shows the branches)");
        }
        return Optional.of(new CheckMergeReport(push, branch, tip.get()));
    }

    /** The lines for one pushed ref, without git's {@code remote:} prefix. */
    List<String> report(ReceiveCommand command) throws IOException {
        Optional<RevCommit> pushed = CheckedPush.commitOf(push.walk(), command.getNewId());
        if (pushed.isEmpty()) {
            return List.of();
        }
        RevCommit base = push.mergeBase(pushed.get(), branchTip);
        List<String> found = new ArrayList<>();
        int count = 0;
        try (TreeWalk walk = new TreeWalk(push.reader())) {
            walk.addTree(pushed.get().getTree());
            walk.addTree(branchTip.getTree());
            if (base != null) {
                walk.addTree(base.getTree());
            } else {
                walk.addTree(new EmptyTreeIterator());
            }
            walk.setRecursive(true);
            walk.setFilter(TreeFilter.ANY_DIFF);
            while (walk.next()) {
                if (walk.idEqual(0, 1)) {
                    continue;
                }
                Manifest ours = manifest(walk, 0);
                Manifest theirs = manifest(walk, 1);
                if (ours == null && theirs == null) {
                    continue;
                }
                Manifest o = manifest(walk, 2);
                MergeAnalysis.Analysis a = MergeAnalysis.analyze(orNone(o), orNone(ours), orNone(theirs));
                String path = walk.getPathString();
                for (MergeAnalysis.Conflict c : a.conflicts()) {
                    count++;
                    add(found, "  " + path + " " + c.name() + ": changed on both sides");
                }
                for (String problem : a.problems()) {
                    count++;
                    add(found, "  " + path + " " + problem);
                }
            }
        }
        List<String> lines = new ArrayList<>();
        String head = "check-merge " + command.getRefName() + " with " + branch + " (merge base "
                + (base == null ? "none" : push.abbreviate(base)) + "): ";
        if (count == 0) {
            lines.add(head + "no parameter changed on both sides; the merge would need no choices");
            return lines;
        }
        lines.add(head + count + (count == 1 ? " parameter" : " parameters") + " a merge would have to resolve");
        lines.addAll(found);
        if (count > found.size()) {
            lines.add("  ... and " + (count - found.size()) + " more");
        }
        return lines;
    }

    private void add(List<String> found, String line) {
        if (found.size() < 4 * push.limits().listedPerRule()) {
            found.add(line);
        }
    }

    private static Manifest orNone(Manifest m) {
        return m != null ? m : ManifestBlobs.NONE;
    }

    private Manifest manifest(TreeWalk walk, int tree) throws IOException {
        return push.manifests().manifest(FileBlobs.blobOf(walk, tree)).orElse(null);
    }
}
