package io.thetahost.server.registry;

import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.access.Permission;
import io.thetahost.hooks.naming.InvalidNameException;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.hooks.receive.branches.BranchPattern;
import io.thetahost.hooks.receive.branches.BranchRule;
import io.thetahost.hooks.receive.branches.BranchRules;
import io.thetahost.hooks.transport.RepositoryRegistry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.FileUtils;

/**
 * The bare repositories under {@code DATA/repos} and who may use them. Access lives in each repository's own
 * {@code config}, read on every request, so a grant takes effect at once:
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
    private static final String DEFAULT_BRANCH = "main";

    private final DataDirectory data;
    private final UserRegistry users;

    public HostedRepositories(DataDirectory data, UserRegistry users) {
        this.data = data;
        this.users = users;
    }

    /** A hosted repository as {@code repo list} shows it. */
    public record Listing(RepositoryName name, boolean isPublic, Map<String, Permission> grants) {
    }

    @Override
    public Permission permission(Caller caller, RepositoryName name) {
        Path dir = gitDir(name);
        if (dir == null) {
            return Permission.NONE;
        }
        FileBasedConfig config = new FileBasedConfig(dir.resolve("config").toFile(), FS.DETECTED);
        try {
            config.load();
        } catch (IOException | ConfigInvalidException e) {
            return Permission.NONE;
        }
        Permission held = config.getBoolean(SECTION, "public", false) ? Permission.READ : Permission.NONE;
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

    /** The user's grant in a repository's config; a hand-edited value that does not parse grants nothing. */
    private static Optional<Permission> grant(FileBasedConfig config, String user) {
        String word = config.getString(ACCESS_SECTION, user, "permission");
        try {
            return word == null ? Optional.empty() : Optional.of(Permission.parse(word));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public Repository open(RepositoryName name) throws IOException {
        Path dir = gitDir(name);
        if (dir == null) {
            throw new RepositoryNotFoundException(name.toString());
        }
        return new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
    }

    /**
     * The repository's directory if it exists and really lies under DATA/repos; a link that leads elsewhere counts as
     * absent.
     */
    private Path gitDir(RepositoryName name) {
        Path dir = data.repositories().resolve(name.relativeGitDir());
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try {
            Path real = dir.toRealPath();
            if (!real.startsWith(data.repositories().toRealPath()) || !Files.isRegularFile(real.resolve("config"))) {
                return null;
            }
            return real;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Creates an empty bare repository whose HEAD names {@code main}. It appears at its final path in one rename, so
     * nobody sees it half made.
     */
    public void create(RepositoryName name, boolean isPublic) throws AdminException, IOException {
        try (DataDirectory.AdminLock lock = data.lockForChange()) {
            Path reposRoot = data.repositories().toRealPath();
            Path ownerDir = reposRoot.resolve(name.owner());
            if (Files.exists(ownerDir, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.isSymbolicLink(ownerDir) || !Files.isDirectory(ownerDir)
                        || !ownerDir.toRealPath().startsWith(reposRoot)) {
                    throw new AdminException("refusing to create " + name + ": " + ownerDir
                            + " is not a plain directory inside " + reposRoot);
                }
            }
            Path target = ownerDir.resolve(name.name() + ".git");
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new AdminException("repository " + name + " already exists");
            }
            Files.createDirectories(ownerDir);
            Path staging = ownerDir.resolve(".creating-" + name.name() + "-" + UUID.randomUUID());
            try {
                initBare(staging, isPublic);
                Files.move(staging, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                if (Files.exists(staging)) {
                    FileUtils.delete(staging.toFile(), FileUtils.RECURSIVE);
                }
            }
        }
    }

    private static void initBare(Path dir, boolean isPublic) throws IOException {
        try (Git git = Git.init().setBare(true).setDirectory(dir.toFile()).setInitialBranch(DEFAULT_BRANCH).call()) {
            StoredConfig config = git.getRepository().getConfig();
            // Nothing acknowledged is lost: objects and refs reach the disk before a push is reported done.
            config.setBoolean("core", null, "fsyncObjectFiles", true);
            config.setBoolean("core", null, "fsyncRefFiles", true);
            config.setBoolean("receive", null, "denyNonFastForwards", false);
            config.setBoolean(SECTION, null, "public", isPublic);
            config.save();
        } catch (GitAPIException e) {
            throw new IOException("cannot initialize a repository in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Grants a user a permission ({@code none} takes it away). The owner's admin cannot be changed. */
    public void grant(RepositoryName name, String user, Permission permission) throws AdminException, IOException {
        if (!users.exists(user)) {
            throw new AdminException("no such user '" + user + "'; add it with: thetahost user add " + user);
        }
        if (user.equals(name.owner())) {
            throw new AdminException(user + " owns " + name + " and always holds admin on it");
        }
        changeConfig(name, config -> {
            if (permission == Permission.NONE) {
                config.unsetSection(ACCESS_SECTION, user);
            } else {
                config.setString(ACCESS_SECTION, user, "permission", permission.word());
            }
        });
    }

    /** Adds a branch rule, or replaces the rule with the same pattern; the next push is checked against it. */
    public void protect(RepositoryName name, BranchRule rule) throws AdminException, IOException {
        changeConfig(name, config -> BranchRules.write(config, rule));
    }

    /** @return whether there was a rule with that pattern */
    public boolean unprotect(RepositoryName name, BranchPattern pattern) throws AdminException, IOException {
        boolean[] had = {false};
        changeConfig(name, config -> had[0] = BranchRules.remove(config, pattern));
        return had[0];
    }

    /** A repository's visibility, grants and branch rules, as {@code repo show} prints them. */
    public record Details(Listing listing, List<BranchRule> rules) {
    }

    public Details show(RepositoryName name) throws AdminException, IOException {
        Path dir = gitDir(name);
        if (dir == null) {
            throw new AdminException("no repository " + name);
        }
        FileBasedConfig config = load(dir);
        Listing listing = listing(name.owner(), dir).orElseThrow(() -> new AdminException("no repository " + name));
        return new Details(listing, BranchRules.read(config));
    }

    /** Changes a repository's config under the admin lock; a running daemon reads it on the next request. */
    private void changeConfig(RepositoryName name, java.util.function.Consumer<FileBasedConfig> change)
            throws AdminException, IOException {
        try (DataDirectory.AdminLock lock = data.lockForChange()) {
            Path dir = gitDir(name);
            if (dir == null) {
                throw new AdminException("no repository " + name);
            }
            FileBasedConfig config = load(dir);
            change.accept(config);
            config.save();
        }
    }

    private static FileBasedConfig load(Path dir) throws AdminException, IOException {
        FileBasedConfig config = new FileBasedConfig(dir.resolve("config").toFile(), FS.DETECTED);
        try {
            config.load();
        } catch (ConfigInvalidException e) {
            throw new AdminException(dir.resolve("config") + " does not parse: " + e.getMessage());
        }
        return config;
    }

    /** Every hosted repository, sorted by name. */
    @Override
    public List<RepositoryName> names() throws IOException {
        return list().stream().map(Listing::name).toList();
    }

    public List<Listing> list() throws IOException {
        List<Listing> out = new ArrayList<>();
        Path root = data.repositories();
        try (DirectoryStream<Path> owners = Files.newDirectoryStream(root)) {
            for (Path owner : owners) {
                if (!Files.isDirectory(owner, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (DirectoryStream<Path> repos = Files.newDirectoryStream(owner, "*.git")) {
                    for (Path repo : repos) {
                        listing(owner.getFileName().toString(), repo).ifPresent(out::add);
                    }
                }
            }
        }
        out.sort((a, b) -> a.name().toString().compareTo(b.name().toString()));
        return out;
    }

    private Optional<Listing> listing(String owner, Path repo) {
        String file = repo.getFileName().toString();
        RepositoryName name;
        try {
            name = RepositoryName.parse(owner + "/" + file);
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        if (gitDir(name) == null) {
            return Optional.empty();
        }
        FileBasedConfig config = new FileBasedConfig(repo.resolve("config").toFile(), FS.DETECTED);
        try {
            config.load();
        } catch (IOException | ConfigInvalidException e) {
            return Optional.empty();
        }
        Map<String, Permission> grants = new TreeMap<>();
        for (String user : config.getSubsections(ACCESS_SECTION)) {
            grant(config, user).ifPresent(p -> grants.put(user, p));
        }
        return Optional.of(new Listing(name, config.getBoolean(SECTION, "public", false), grants));
    }
}
