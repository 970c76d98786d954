package io.thetahost.hooks.receive.branches;

import io.thetahost.protocol.manifest.ParameterGlob;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A protected-branch rule ({@code thetahost repo protect}): the branches it covers may not be deleted, nor updated
 * other than by fast-forward unless {@code allowForcePush}; their commits may not add or remove parameters or change
 * a dtype or shape unless {@code allowShapeChanges}; and with {@code onlyParameters}, may change only parameters
 * matching one of those globs.
 */
public record BranchRule(BranchPattern pattern, List<String> onlyParameters, boolean allowShapeChanges,
        boolean allowForcePush) {

    public BranchRule {
        Objects.requireNonNull(pattern, "pattern");
        onlyParameters = List.copyOf(onlyParameters);
        onlyParameters.forEach(ParameterGlob::of); // refuses a glob no parameter could be matched by
    }

    public boolean covers(String branch) {
        return pattern.matches(branch);
    }

    /** The parameters a commit may change: all, or those matching {@code onlyParameters}. */
    public Predicate<String> changeable() {
        return onlyParameters.isEmpty() ? name -> true : ParameterGlob.anyOf(onlyParameters);
    }

    public BranchRule allowingForcePush() {
        return new BranchRule(pattern, onlyParameters, allowShapeChanges, true);
    }

    public BranchRule allowingShapeChanges() {
        return new BranchRule(pattern, onlyParameters, true, allowForcePush);
    }

    /** The rule as {@code thetahost repo protect} arguments: {@code repo show} prints it, rejections quote it. */
    public String describe() {
        StringBuilder b = new StringBuilder("'").append(pattern).append('\'');
        onlyParameters.forEach(g -> b.append(" --only-parameters '").append(g).append('\''));
        if (allowShapeChanges) {
            b.append(" --allow-shape-changes");
        }
        if (allowForcePush) {
            b.append(" --allow-force-push");
        }
        return b.toString();
    }
}
