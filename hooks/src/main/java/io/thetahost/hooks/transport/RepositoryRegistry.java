package io.thetahost.hooks.transport;

import io.thetahost.hooks.access.AccessPolicy;
import io.thetahost.hooks.naming.RepositoryName;
import java.io.IOException;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.Repository;

/** Where the hosted repositories live and who may use them. */
public interface RepositoryRegistry extends AccessPolicy {

    /**
     * Opens a hosted bare repository; the caller closes it. Call only after the access check.
     *
     * @throws RepositoryNotFoundException if it does not exist (any more)
     */
    Repository open(RepositoryName name) throws IOException;

    /** Every hosted repository's name, sorted; who may read which is {@link #permission}'s to say. */
    java.util.List<RepositoryName> names() throws IOException;
}
