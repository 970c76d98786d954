package io.thetahost.cluster.git;

import static org.eclipse.jgit.transport.ReceiveCommand.Result.LOCK_FAILURE;
import static org.eclipse.jgit.transport.ReceiveCommand.Result.NOT_ATTEMPTED;
import static org.eclipse.jgit.transport.ReceiveCommand.Result.OK;
import static org.eclipse.jgit.transport.ReceiveCommand.Result.REJECTED_MISSING_OBJECT;
import static org.eclipse.jgit.transport.ReceiveCommand.Result.REJECTED_NONFASTFORWARD;
import static org.eclipse.jgit.transport.ReceiveCommand.Result.REJECTED_OTHER_REASON;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.internal.JGitText;
import org.eclipse.jgit.lib.BatchRefUpdate;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectIdRef;
import org.eclipse.jgit.lib.ProgressMonitor;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.SymbolicRef;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * All of a push's ref updates in one database transaction. The checks that read objects (is the new object there, is
 * the update a fast-forward) run first, outside it; then each ref is compared-and-set in it. When atomic
 * ({@code git push --atomic}) one failure rolls back everything; otherwise a ref whose value changed meanwhile gets
 * {@code LOCK_FAILURE} (git prints "failed to lock") and the others still commit, each behind a savepoint. A result is
 * set only once the transaction committed, so a command reported OK is in the database.
 */
final class ClusterBatchRefUpdate extends BatchRefUpdate {
    private final ClusterRefDatabase refs;

    ClusterBatchRefUpdate(ClusterRefDatabase refs) {
        super(refs);
        this.refs = refs;
    }

    /** One command as rows: the value the ref must have now, and the one it gets ({@code next} empty: deleted). */
    private record Change(ReceiveCommand command, Ref expected, Optional<Ref> next) {
        String name() {
            return command.getRefName();
        }

        boolean createsRef() {
            return next.isPresent() && absent(expected);
        }

        boolean apply(Connection c, String repository) throws SQLException {
            if (next.isPresent()) {
                return RefRows.put(c, repository, expected, next.get());
            }
            if (absent(expected)) {
                // A delete that names no old value (git sends zeros when it never saw one) deletes whatever is there.
                RefRows.removeAny(c, repository, name());
                return true;
            }
            return RefRows.remove(c, repository, expected);
        }

        private static boolean absent(Ref ref) {
            return !ref.isSymbolic() && ref.getObjectId() == null;
        }
    }

    @Override
    public void execute(RevWalk walk, ProgressMonitor monitor, List<String> options) throws IOException {
        List<ReceiveCommand> pending = ReceiveCommand.filter(getCommands(), NOT_ATTEMPTED);
        if (pending.isEmpty()) {
            return;
        }
        if (options != null) {
            setPushOptions(options);
        }
        if (!blockUntilTimestamps(MAX_WAIT)) {
            return;
        }
        monitor.beginTask(JGitText.get().updatingReferences, pending.size());
        List<Change> changes = new ArrayList<>();
        for (ReceiveCommand command : pending) {
            Optional<Change> change = check(walk, command);
            if (change.isPresent()) {
                changes.add(change.get());
            } else if (isAtomic()) {
                ReceiveCommand.abort(pending);
                monitor.endTask();
                return;
            }
        }
        apply(changes);
        // What this front caches must now come from the rows again, whatever the outcome.
        refs.refresh();
        monitor.update(pending.size());
        monitor.endTask();
    }

    /** The command as a change of rows, or empty with its result set when it is refused before any is touched. */
    private Optional<Change> check(RevWalk walk, ReceiveCommand command) {
        String name = command.getRefName();
        ObjectId newId = command.getNewId();
        try {
            Optional<Ref> next;
            if (command.getNewSymref() != null) {
                next = Optional.of(symbolic(name, command.getNewSymref()));
            } else if (newId.equals(ObjectId.zeroId())) {
                next = Optional.empty();
            } else {
                try {
                    next = Optional.of(RefRows.peeled(walk, name, newId));
                } catch (MissingObjectException e) {
                    command.setResult(REJECTED_MISSING_OBJECT);
                    return Optional.empty();
                }
                if (command.getOldSymref() == null && !isAllowNonFastForwards()) {
                    command.updateType(walk);
                    if (command.getType() == ReceiveCommand.Type.UPDATE_NONFASTFORWARD) {
                        command.setResult(REJECTED_NONFASTFORWARD);
                        return Optional.empty();
                    }
                }
            }
            Ref expected;
            if (command.getOldSymref() != null) {
                expected = symbolic(name, command.getOldSymref());
            } else if (command.getOldId().equals(ObjectId.zeroId())) {
                expected = new ObjectIdRef.Unpeeled(Ref.Storage.NEW, name, null);
            } else {
                expected = new ObjectIdRef.Unpeeled(Ref.Storage.PACKED, name, command.getOldId());
            }
            return Optional.of(new Change(command, expected, next));
        } catch (IOException e) {
            command.setResult(REJECTED_OTHER_REASON, e.getMessage());
            return Optional.empty();
        }
    }

    private static Ref symbolic(String name, String target) {
        return new SymbolicRef(name, new ObjectIdRef.Unpeeled(Ref.Storage.NEW, target, null));
    }

    private void apply(List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        // Deletes first, as JGit does: they may free a name a create needs.
        List<Change> ordered = changes.stream()
                .sorted(Comparator.comparing((Change ch) -> ch.next().isPresent()).thenComparing(Change::name))
                .toList();
        String repository = refs.repositoryName();
        Map<ReceiveCommand, ReceiveCommand.Result> results = new LinkedHashMap<>();
        Map<ReceiveCommand, String> messages = new LinkedHashMap<>();
        try {
            refs.rows().transaction("update refs", c -> {
                if (ordered.stream().anyMatch(Change::createsRef)) {
                    RefRows.lockNames(c, repository);
                }
                RefRows.lockRows(c, repository, ordered.stream().map(Change::name).sorted().toList());
                for (Change change : ordered) {
                    Savepoint savepoint = isAtomic() ? null : c.setSavepoint();
                    boolean applied;
                    try {
                        applied = change.apply(c, repository);
                    } catch (SQLException e) {
                        if (isAtomic()) {
                            throw e;
                        }
                        c.rollback(savepoint);
                        results.put(change.command(), REJECTED_OTHER_REASON);
                        messages.put(change.command(), e.getMessage());
                        continue;
                    }
                    if (savepoint != null) {
                        c.releaseSavepoint(savepoint);
                    }
                    results.put(change.command(), applied ? OK : LOCK_FAILURE);
                    if (!applied && isAtomic()) {
                        c.rollback();
                        return null;
                    }
                }
                return null;
            });
        } catch (IOException e) {
            // Nothing was committed: every command fails with the database's reason.
            for (Change change : changes) {
                change.command().setResult(REJECTED_OTHER_REASON, e.getMessage());
            }
            return;
        }
        if (isAtomic() && results.containsValue(LOCK_FAILURE)) {
            results.forEach((command, result) -> {
                if (result == LOCK_FAILURE) {
                    command.setResult(LOCK_FAILURE);
                }
            });
            ReceiveCommand.abort(getCommands());
            return;
        }
        results.forEach((command, result) -> command.setResult(result, messages.get(command)));
    }
}
