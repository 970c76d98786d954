package io.thetahost.server.state;

import io.thetahost.cluster.git.ClusterRepositories;
import io.thetahost.cluster.git.RepositoryExistsException;
import io.thetahost.hooks.naming.InvalidNameException;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.server.registry.AdminException;
import io.thetahost.server.registry.HostedRepositories;
import io.thetahost.server.registry.RepositoryStorage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Repository;

/** Repositories every front shares: refs and settings in the database, packs in the object store. */
final class ClusterRepositoryStorage implements RepositoryStorage {
    private final ClusterRepositories repositories;

    ClusterRepositoryStorage(ClusterRepositories repositories) {
        this.repositories = repositories;
    }

    @Override
    public Optional<Config> settings(RepositoryName name) throws IOException {
        try {
            return Optional.of(parse(name, repositories.config(name.toString())));
        } catch (RepositoryNotFoundException e) {
            return Optional.empty();
        }
    }

    private static Config parse(RepositoryName name, String text) throws IOException {
        Config config = new Config();
        try {
            config.fromText(text);
        } catch (ConfigInvalidException e) {
            throw new IOException("the settings of " + name + " do not parse: " + e.getMessage(), e);
        }
        return config;
    }

    @Override
    public Repository open(RepositoryName name) throws IOException {
        return repositories.open(name.toString());
    }

    @Override
    public void create(RepositoryName name, boolean isPublic) throws AdminException, IOException {
        Config config = new Config();
        HostedRepositories.setPublic(config, isPublic);
        try {
            repositories.create(name.toString(), config.toText());
        } catch (RepositoryExistsException e) {
            throw HostedRepositories.exists(name);
        }
    }

    @Override
    public void changeSettings(RepositoryName name, SettingsChange change) throws AdminException, IOException {
        try {
            repositories.updateConfig(name.toString(), text -> {
                try {
                    Config config = parse(name, text);
                    change.apply(config);
                    return config.toText();
                } catch (AdminException | IOException e) {
                    throw new Refused(e);
                }
            });
        } catch (RepositoryNotFoundException e) {
            throw HostedRepositories.missing(name);
        } catch (Refused r) {
            if (r.getCause() instanceof AdminException a) {
                throw a;
            }
            throw (IOException) r.getCause();
        }
    }

    /** Carries a refusal out of the change, which the transaction then rolls back. */
    private static final class Refused extends RuntimeException {
        Refused(Exception cause) {
            super(cause);
        }
    }

    @Override
    public List<RepositoryName> names() throws IOException {
        List<RepositoryName> names = new ArrayList<>();
        for (String name : repositories.names()) {
            try {
                names.add(RepositoryName.parse(name));
            } catch (InvalidNameException e) {
                // Not one the registry made: not hosted.
            }
        }
        return names;
    }

    @Override
    public void collectGarbage(Repository repository, Instant keepAfter) throws IOException {
        repositories.collectGarbage(repository, keepAfter);
    }
}
