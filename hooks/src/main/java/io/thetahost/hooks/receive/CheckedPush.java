package io.thetahost.hooks.receive;

import io.thetahost.hooks.memory.MemoryBudget;
import io.thetahost.hooks.receive.branches.BranchRule;
import io.thetahost.hooks.receive.branches.BranchRules;
import io.thetahost.hooks.receive.checkpoints.CheckpointChange;
import io.thetahost.hooks.receive.checkpoints.ManifestBlobs;
import io.thetahost.hooks.receive.report.Violation;
import io.thetahost.hooks.receive.report.Violations;
import io.thetahost.hooks.receive.rules.CheckpointRule;
import io.thetahost.hooks.receive.rules.CommitRule;
import io.thetahost.hooks.receive.rules.RefRule;
import io.thetahost.objectdb.TensorStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PreReceiveHook;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push checks for one push: every ref update is checked on its own against the rules, and a ref that breaks one
 * is rejected with what, where and what to do. JGit then updates only the refs left unrejected (none, with
 * {@code --atomic}, if any is rejected). A check that cannot run rejects its ref: nothing unchecked lands.
 */
final class CheckedPush implements PreReceiveHook {
    private static final Logger LOG = LoggerFactory.getLogger(CheckedPush.class);

    private final TensorStore store;
    private final CheckLimits limits;
    private final MemoryBudget manifestBudget;
    private final String storeName;
    /** Each checkpoint blob is checked once per push, whichever refs and commits hold it. */
    private final Map<ObjectId, Violations> checkedBlobs = new HashMap<>();
    private int commitsChecked;

    CheckedPush(TensorStore store, CheckLimits limits, MemoryBudget manifestBudget, String storeName) {
        this.store = store;
        this.limits = limits;
        this.manifestBudget = manifestBudget;
        this.storeName = storeName;
    }

    @Override
    public void onPreReceive(ReceivePack rp, Collection<ReceiveCommand> commands) {
        new PushOptionCheck(PushChecks.OPTIONS).onPreReceive(rp, commands);
        if (commands.stream().anyMatch(c -> c.getResult() != ReceiveCommand.Result.NOT_ATTEMPTED)) {
            return;
        }
        long started = System.nanoTime();
        Repository repository = rp.getRepository();
        RemoteProgress progress = new RemoteProgress(rp.getMessageOutputStream());
        try (ObjectReader reader = repository.newObjectReader(); RevWalk walk = new RevWalk(reader)) {
            PushContext push = new PushContext(repository, storeName, store, limits, reader, walk,
                    new ManifestBlobs(reader, limits, manifestBudget), progress);
            Optional<CheckMergeReport> checkMerge;
            try {
                checkMerge = CheckMergeReport.requested(rp.getPushOptions(), push);
            } catch (IllegalArgumentException e) {
                rejectAll(rp, commands, e.getMessage());
                return;
            }
            List<BranchRule> rules = BranchRules.read(repository.getConfig());
            List<ObjectId> tips = existingTips(repository);
            int rejected = 0;
            for (ReceiveCommand command : commands) {
                RefUpdate update = RefUpdate.coveredBy(rules, push, command);
                Violations found = check(update, tips);
                if (!found.isEmpty()) {
                    rejected++;
                    command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, found.reason());
                    found.lines(command.getRefName()).forEach(line -> rp.sendMessage("theta: " + line));
                } else if (checkMerge.isPresent() && !update.isDeletion()) {
                    checkMerge.get().report(command).forEach(line -> rp.sendMessage("theta: " + line));
                }
            }
            // What a push's checks cost, for the operator (and bench/push-checks.sh).
            LOG.info("push checks in {}: {} ref(s), {} commit(s), {} checkpoint blob(s): {} ms, {} ref(s) rejected",
                    storeName, commands.size(), commitsChecked, checkedBlobs.size(),
                    (System.nanoTime() - started) / 1_000_000, rejected);
        } catch (IOException | RuntimeException e) {
            LOG.warn("push checks failed in {}", storeName, e);
            rejectAll(rp, commands, "the server could not check this push (" + e.getMessage() + "); try again");
        }
    }

    private Violations check(RefUpdate update, List<ObjectId> tips) {
        Violations found = new Violations(limits.listedPerRule());
        try {
            for (RefRule rule : PushChecks.REF_RULES) {
                rule.check(update, found);
            }
            if (!update.isDeletion()) {
                checkCommits(update, tips, found);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("push check of {} in {} failed", update.refName(), storeName, e);
            found.add(new Violation("check-failed", null, null, null, "the server could not check this update ("
                    + e.getMessage() + ")", "try the push again; if it fails again, tell the server's admin"));
        }
        return found;
    }

    /**
     * Walks the commits the update brings to its ref: those new to the repository get every check; those the
     * repository already had (on another ref) only the branch rules, where the ref is protected.
     */
    private void checkCommits(RefUpdate update, List<ObjectId> tips, Violations found) throws IOException {
        PushContext push = update.push();
        RevWalk walk = push.walk();
        Optional<RevCommit> target = commitOf(walk, update.command().getNewId());
        if (target.isEmpty()) {
            return; // a tag of a tree or blob: no history to check
        }
        Set<ObjectId> newToRepository = new HashSet<>();
        walk.reset();
        walk.markStart(walk.parseCommit(target.get()));
        for (ObjectId tip : tips) {
            commitOf(walk, tip).ifPresent(c -> markUninteresting(walk, c));
        }
        for (RevCommit c; (c = walk.next()) != null; ) {
            newToRepository.add(c.copy());
        }
        List<RevCommit> toBranch = new ArrayList<>();
        walk.reset();
        walk.markStart(walk.parseCommit(target.get()));
        if (update.isProtected() && !update.isCreation()) {
            commitOf(walk, update.command().getOldId()).ifPresent(c -> markUninteresting(walk, c));
        } else {
            for (ObjectId tip : tips) {
                commitOf(walk, tip).ifPresent(c -> markUninteresting(walk, c));
            }
        }
        for (RevCommit c; (c = walk.next()) != null; ) {
            toBranch.add(c);
        }
        int done = 0;
        for (RevCommit c : toBranch) {
            push.progress().update("theta: checking " + update.refName() + ": " + ++done + "/" + toBranch.size()
                    + " commits");
            commitsChecked++;
            PushedCommit pushed = new PushedCommit(update, c, newToRepository.contains(c));
            if (pushed.isNewToRepository()) {
                checkNewCheckpoints(pushed, found);
            }
            for (CommitRule rule : PushChecks.COMMIT_RULES) {
                rule.check(pushed, found);
            }
        }
        push.progress().done();
    }

    private void checkNewCheckpoints(PushedCommit commit, Violations found) throws IOException {
        PushContext push = commit.push();
        for (CheckpointChange change : commit.changesAgainstAllParents()) {
            if (change.blob() == null) {
                continue;
            }
            Violations cached = checkedBlobs.get(change.blob());
            if (cached == null) {
                cached = new Violations(limits.listedPerRule());
                if (change.tracked() || push.manifests().opensLikeManifest(change.blob())) {
                    NewCheckpoint checkpoint = new NewCheckpoint(push, commit.abbreviated(), change.path(),
                            change.blob(), change.tracked(), push.manifests().read(change.blob()));
                    for (CheckpointRule rule : PushChecks.CHECKPOINT_RULES) {
                        rule.check(checkpoint, cached);
                    }
                }
                checkedBlobs.put(change.blob().copy(), cached);
            }
            found.addAll(cached);
        }
    }

    private static List<ObjectId> existingTips(Repository repository) throws IOException {
        List<ObjectId> tips = new ArrayList<>();
        for (Ref ref : repository.getRefDatabase().getRefs()) {
            ObjectId id = ref.getPeeledObjectId() != null ? ref.getPeeledObjectId() : ref.getObjectId();
            if (id != null) {
                tips.add(id);
            }
        }
        return tips;
    }

    /** The commit an id names, peeling tags; empty for a tree or blob (or a tag of one). */
    static Optional<RevCommit> commitOf(RevWalk walk, ObjectId id) throws IOException {
        if (id == null || ObjectId.zeroId().equals(id)) {
            return Optional.empty();
        }
        RevObject o = walk.peel(walk.parseAny(id));
        return o instanceof RevCommit ? Optional.of((RevCommit) o) : Optional.empty();
    }

    private static void markUninteresting(RevWalk walk, RevCommit c) {
        try {
            walk.markUninteresting(c);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void rejectAll(ReceivePack rp, Collection<ReceiveCommand> commands, String message) {
        rp.sendMessage("theta: " + message);
        for (ReceiveCommand c : commands) {
            if (c.getResult() == ReceiveCommand.Result.NOT_ATTEMPTED) {
                c.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, message);
            }
        }
    }
}
