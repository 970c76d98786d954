package io.thetahost.hooks.receive;

import io.thetahost.hooks.receive.branches.BranchRule;
import io.thetahost.hooks.receive.branches.BranchRules;
import java.util.List;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * One ref a push updates, with the push it belongs to and the branch rules that cover it.
 *
 * @param rules the branch rules covering the ref (empty for tags and other refs)
 */
public record RefUpdate(PushContext push, ReceiveCommand command, List<BranchRule> rules) {

    /** The update, with those of a repository's branch rules that cover its ref. */
    public static RefUpdate coveredBy(List<BranchRule> repositoryRules, PushContext push, ReceiveCommand command) {
        String ref = command.getRefName();
        return new RefUpdate(push, command, ref.startsWith(Constants.R_HEADS)
                ? BranchRules.covering(repositoryRules, ref.substring(Constants.R_HEADS.length()))
                : List.of());
    }

    public String refName() {
        return command.getRefName();
    }

    public boolean isBranch() {
        return refName().startsWith(Constants.R_HEADS);
    }

    /** The branch name without {@code refs/heads/}. */
    public String branch() {
        return refName().substring(Constants.R_HEADS.length());
    }

    public boolean isDeletion() {
        return command.getType() == ReceiveCommand.Type.DELETE;
    }

    public boolean isCreation() {
        return command.getType() == ReceiveCommand.Type.CREATE;
    }

    public boolean isNonFastForward() {
        return command.getType() == ReceiveCommand.Type.UPDATE_NONFASTFORWARD;
    }

    public boolean isProtected() {
        return !rules.isEmpty();
    }
}
