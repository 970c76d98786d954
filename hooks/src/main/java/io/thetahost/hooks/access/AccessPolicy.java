package io.thetahost.hooks.access;

import io.thetahost.hooks.naming.RepositoryName;

/** Answers what a caller may do with a repository. Changes made by the admin CLI are seen at once. */
public interface AccessPolicy {

    /** The caller's permission; {@link Permission#NONE} when the repository does not exist. */
    Permission permission(Caller caller, RepositoryName repository);
}
