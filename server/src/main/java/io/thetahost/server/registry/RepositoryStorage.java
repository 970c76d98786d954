package io.thetahost.server.registry;

import io.thetahost.hooks.naming.RepositoryName;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Repository;

/**
 * Where hosted repositories and their settings live: {@link BareRepositories} under the data directory, or the shared
 * database and object store when several fronts serve (docs/CLUSTER.md). A repository's settings (public, grants,
 * branch rules) are git config in both, read on every request; {@link HostedRepositories} gives them their meaning.
 */
public interface RepositoryStorage {

    /**
     * The repository's settings as they are now; empty when there is no such repository.
     *
     * @throws IOException when they cannot be read or do not parse (naming where)
     */
    Optional<Config> settings(RepositoryName name) throws IOException;

    /**
     * Opens the repository; the caller closes it.
     *
     * @throws org.eclipse.jgit.errors.RepositoryNotFoundException if it does not exist (any more)
     */
    Repository open(RepositoryName name) throws IOException;

    /** Creates an empty repository whose HEAD names {@code main}; nobody sees it half made. */
    void create(RepositoryName name, boolean isPublic) throws AdminException, IOException;

    /** Reads, changes and writes back a repository's settings, with no other change in between. */
    void changeSettings(RepositoryName name, SettingsChange change) throws AdminException, IOException;

    /** Every repository's name, sorted. */
    List<RepositoryName> names() throws IOException;

    /**
     * Repacks what the refs reach and drops what they do not, once older than {@code keepAfter} (a push in flight
     * keeps what it sent).
     */
    void collectGarbage(Repository repository, Instant keepAfter) throws IOException;

    /** A change of settings. */
    interface SettingsChange {
        void apply(Config settings) throws AdminException;
    }
}
