package io.thetahost.server.registry;

import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.access.Permission;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.hooks.receive.branches.BranchPattern;
import io.thetahost.hooks.receive.branches.BranchRule;
import io.thetahost.hooks.receive.branches.BranchRules;
import io.thetahost.hooks.transport.RepositoryRegistry;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Repository;

/**
 * The hosted repositories and who may use them. Access lives in each repository's settings (git config, in its
 * {@link RepositoryStorage}), read on every request, so a grant takes effect at once:
 *
 * <pre>
 * [thetahost]
 *     public = true
 * [thetahost-access "bob"]
 *     permission = write
 * </pre>
 *
 * The owner (the user named like the first part of OWNER/NAME) holds admin.
 */
public final class HostedRepositories implements RepositoryRegistry {
    static final String SECTION = "thetahost";
    static final String ACCESS_SECTION = "thetahost-access";

    private final RepositoryStorage storage;
    private final UserAccounts users;

    public HostedRepositories(RepositoryStorage storage, UserAccounts users) {
        this.storage = storage;
        this.users = users;
    }

    /** A hosted repository as {@code repo list} shows it. */
    public record Listing(RepositoryName name, boolean isPublic, Map<String, Permission> grants) {
    }

    @Override
    public Permission permission(Caller caller, RepositoryName name) {
        Config config;
        try {
            Optional<Config> settings = storage.settings(name);
            if (settings.isEmpty()) {
                return Permission.NONE;
            }
            config = settings.get();
        } catch (IOException e) {
            return Permission.NONE;
        }
        Permission held = isPublic(config) ? Permission.READ : Permission.NONE;
        if (caller.isAnonymous()) {
            return held;
        }
        String user = caller.userName().orElseThrow();
        if (!users.exists(user)) {
            return held;
        }
        if (user.equals(name.owner())) {
            return Permission.ADMIN;
        }
        Permission granted = grant(config, user).orElse(Permission.NONE);
        return granted.includes(held) ? granted : held;
    }

    /** The user's grant in a repository's settings; a hand-edited value that does not parse grants nothing. */
    private static Optional<Permission> grant(Config config, String user) {
        String word = config.getString(ACCESS_SECTION, user, "permission");
        try {
            return word == null ? Optional.empty() : Optional.of(Permission.parse(word));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean isPublic(Config config) {
        return config.getBoolean(SECTION, "public", false);
    }

    public static void setPublic(Config config, boolean isPublic) {
        config.setBoolean(SECTION, null, "public", isPublic);
    }

    public static AdminException missing(RepositoryName name) {
        return new AdminException("no repository " + name);
    }

    public static AdminException exists(RepositoryName name) {
        return new AdminException("repository " + name + " already exists");
    }

    @Override
    public Repository open(RepositoryName name) throws IOException {
        return storage.open(name);
    }

    /** Creates an empty repository whose HEAD names {@code main}; nobody sees it half made. */
    public void create(RepositoryName name, boolean isPublic) throws AdminException, IOException {
        storage.create(name, isPublic);
    }

    /** Grants a user a permission ({@code none} takes it away). The owner's admin cannot be changed. */
    public void grant(RepositoryName name, String user, Permission permission) throws AdminException, IOException {
        if (!users.exists(user)) {
            throw UserAccounts.noSuchUser(user);
        }
        if (user.equals(name.owner())) {
            throw new AdminException(user + " owns " + name + " and always holds admin on it");
        }
        storage.changeSettings(name, config -> {
            if (permission == Permission.NONE) {
                config.unsetSection(ACCESS_SECTION, user);
            } else {
                config.setString(ACCESS_SECTION, user, "permission", permission.word());
            }
        });
    }

    /** Adds a branch rule, or replaces the rule with the same pattern; the next push is checked against it. */
    public void protect(RepositoryName name, BranchRule rule) throws AdminException, IOException {
        storage.changeSettings(name, config -> BranchRules.write(config, rule));
    }

    /** @return whether there was a rule with that pattern */
    public boolean unprotect(RepositoryName name, BranchPattern pattern) throws AdminException, IOException {
        boolean[] had = {false};
        storage.changeSettings(name, config -> had[0] = BranchRules.remove(config, pattern));
        return had[0];
    }

    /** A repository's visibility, grants and branch rules, as {@code repo show} prints them. */
    public record Details(Listing listing, List<BranchRule> rules) {
    }

    public Details show(RepositoryName name) throws AdminException, IOException {
        Config config = settingsOf(name);
        return new Details(listing(name, config), BranchRules.read(config));
    }

    private Config settingsOf(RepositoryName name) throws AdminException {
        try {
            return storage.settings(name).orElseThrow(() -> missing(name));
        } catch (IOException e) {
            throw new AdminException(e.getMessage());
        }
    }

    /** Every hosted repository, sorted by name. */
    @Override
    public List<RepositoryName> names() throws IOException {
        return storage.names();
    }

    /** Every hosted repository whose settings can be read, sorted by name. */
    public List<Listing> list() throws IOException {
        List<Listing> out = new ArrayList<>();
        for (RepositoryName name : storage.names()) {
            try {
                storage.settings(name).ifPresent(config -> out.add(listing(name, config)));
            } catch (IOException e) {
                // Settings that do not parse: not listed, as it serves nobody until fixed.
            }
        }
        return out;
    }

    /** See {@link RepositoryStorage#collectGarbage}. */
    public void collectGarbage(Repository repository, Instant keepAfter) throws IOException {
        storage.collectGarbage(repository, keepAfter);
    }

    private static Listing listing(RepositoryName name, Config config) {
        Map<String, Permission> grants = new TreeMap<>();
        for (String user : config.getSubsections(ACCESS_SECTION)) {
            grant(config, user).ifPresent(p -> grants.put(user, p));
        }
        return new Listing(name, isPublic(config), grants);
    }
}
