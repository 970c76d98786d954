package io.thetahost.server.registry;

import io.thetahost.hooks.access.AccessTokens;
import io.thetahost.hooks.naming.InvalidNameException;
import io.thetahost.hooks.naming.UserName;
import io.thetahost.sshd.auth.AuthorizedKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users, their SSH keys and token hashes, kept in {@code DATA/users.config} (git-config syntax):
 *
 * <pre>
 * [user "alice"]
 *     key = ssh-ed25519 AAAA... alice@laptop
 *     token = sha256:9f86d0...
 * </pre>
 *
 * The daemon rereads the file whenever it changed on disk, so admin commands take effect at once.
 */
public final class UserRegistry implements UserAccounts {
    private static final Logger LOG = LoggerFactory.getLogger(UserRegistry.class);
    private static final String SECTION = "user";

    private final DataDirectory data;
    private final FileBasedConfig snapshot;

    public UserRegistry(DataDirectory data) {
        this.data = data;
        this.snapshot = new FileBasedConfig(data.usersFile().toFile(), FS.DETECTED);
    }

    /** The file as it is now on disk; a file that no longer parses denies everyone rather than guess. */
    private synchronized Config current() {
        if (snapshot.isOutdated()) {
            try {
                snapshot.load();
            } catch (IOException | ConfigInvalidException e) {
                LOG.error("cannot read {}: {}; nobody can log in until it is fixed", data.usersFile(),
                        e.getMessage());
                snapshot.clear();
            }
        }
        return snapshot;
    }

    @Override
    public boolean exists(String user) {
        return current().getSubsections(SECTION).contains(user);
    }

    @Override
    public List<String> authorizedKeys(String user) {
        return List.of(current().getStringList(SECTION, user, "key"));
    }

    @Override
    public boolean isValidToken(String user, String token) {
        for (String stored : current().getStringList(SECTION, user, "token")) {
            if (AccessTokens.matches(token, stored)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Optional<String> userOfToken(String token) {
        Config config = current();
        for (String user : config.getSubsections(SECTION)) {
            for (String stored : config.getStringList(SECTION, user, "token")) {
                if (AccessTokens.matches(token, stored)) {
                    return Optional.of(user);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public List<String> list() {
        return new ArrayList<>(new TreeSet<>(current().getSubsections(SECTION)));
    }

    @Override
    public void add(String name, AuthorizedKey key) throws AdminException, IOException {
        checkName(name);
        change(config -> {
            if (config.getSubsections(SECTION).contains(name)) {
                throw new AdminException("user '" + name + "' already exists");
            }
            config.setBoolean(SECTION, name, "enabled", true);
            if (key != null) {
                addKey(config, name, key);
            }
        });
    }

    @Override
    public void addKey(String name, AuthorizedKey key) throws AdminException, IOException {
        change(config -> {
            requireUser(config, name);
            addKey(config, name, key);
        });
    }

    @Override
    public String createToken(String name) throws AdminException, IOException {
        String token = AccessTokens.generate();
        change(config -> {
            requireUser(config, name);
            List<String> tokens = new ArrayList<>(List.of(config.getStringList(SECTION, name, "token")));
            tokens.add(AccessTokens.hash(token));
            config.setStringList(SECTION, name, "token", tokens);
        });
        return token;
    }

    private static void addKey(Config config, String name, AuthorizedKey key) throws AdminException {
        for (String other : config.getSubsections(SECTION)) {
            for (String line : config.getStringList(SECTION, other, "key")) {
                if (key.matches(AuthorizedKey.parse(line).key())) {
                    throw UserAccounts.keyTaken(key, other.equals(name), name);
                }
            }
        }
        List<String> keys = new ArrayList<>(List.of(config.getStringList(SECTION, name, "key")));
        keys.add(key.line());
        config.setStringList(SECTION, name, "key", keys);
    }

    private static void requireUser(Config config, String name) throws AdminException {
        if (!config.getSubsections(SECTION).contains(name)) {
            throw UserAccounts.noSuchUser(name);
        }
    }

    private static void checkName(String name) throws AdminException {
        try {
            UserName.check(name);
        } catch (InvalidNameException e) {
            throw new AdminException(e.getMessage());
        }
    }

    private interface Change {
        void apply(Config config) throws AdminException;
    }

    /** Read, change and atomically replace the file, holding the admin lock throughout. */
    private void change(Change change) throws AdminException, IOException {
        try (DataDirectory.AdminLock lock = data.lockForChange()) {
            FileBasedConfig config = new FileBasedConfig(data.usersFile().toFile(), FS.DETECTED);
            try {
                config.load();
            } catch (ConfigInvalidException e) {
                throw new AdminException(data.usersFile() + " does not parse (" + e.getMessage()
                        + "); fix it by hand before changing users");
            }
            change.apply(config);
            config.save();
        }
    }
}
