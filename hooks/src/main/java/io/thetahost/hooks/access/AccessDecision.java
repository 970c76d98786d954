package io.thetahost.hooks.access;

import io.thetahost.hooks.naming.RepositoryName;

/**
 * The outcome of asking for a permission on a repository. A repository that does not exist and one the caller may not
 * read give the same outcome, {@link #HIDDEN}, so that names do not leak.
 */
public enum AccessDecision {
    ALLOWED,
    /** The caller may read the repository but asked for more. */
    READ_ONLY,
    /** The repository does not exist, or the caller may not read it. */
    HIDDEN;

    public static AccessDecision decide(Permission held, Permission needed) {
        if (held.includes(needed)) {
            return ALLOWED;
        }
        return held.includes(Permission.READ) ? READ_ONLY : HIDDEN;
    }

    /** The message a person sees when the decision is not {@link #ALLOWED}. */
    public String message(Caller caller, RepositoryName repository) {
        switch (this) {
            case READ_ONLY:
                return "permission denied: " + caller + " may read " + repository + " but not write to it";
            case HIDDEN:
                return "repository '" + repository + "' not found";
            default:
                return "allowed";
        }
    }
}
