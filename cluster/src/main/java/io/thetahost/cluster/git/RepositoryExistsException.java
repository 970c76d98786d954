package io.thetahost.cluster.git;

import java.io.IOException;

/** Thrown when a repository is created under a name that is taken. */
public final class RepositoryExistsException extends IOException {
    private static final long serialVersionUID = 1L;

    public RepositoryExistsException(String name) {
        super("repository " + name + " exists already");
    }
}
