package io.thetahost.server.registry;

import io.thetahost.hooks.naming.InvalidNameException;
import io.thetahost.hooks.naming.RepositoryName;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.internal.storage.file.GC;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.FileUtils;

/**
 * The bare repositories under {@code DATA/repos/OWNER/NAME.git}, their settings in each one's own {@code config}.
 * Changes are made under the data directory's admin lock and saved by atomic rename, so readers need no lock.
 */
public final class BareRepositories implements RepositoryStorage {
    private static final String DEFAULT_BRANCH = "main";

    private final DataDirectory data;

    public BareRepositories(DataDirectory data) {
        this.data = data;
    }

    @Override
    public Optional<Config> settings(RepositoryName name) throws IOException {
        Path dir = gitDir(name);
        return dir == null ? Optional.empty() : Optional.of(load(dir));
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

    /** It appears at its final path in one rename. */
    @Override
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
                throw HostedRepositories.exists(name);
            }
            Files.createDirectories(ownerDir);
            Path staging = ownerDir.resolve(".creating-" + name.name() + "-" + UUID.randomUUID());
            try {
                initBare(staging, isPublic);
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
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
            HostedRepositories.setPublic(config, isPublic);
            config.save();
        } catch (GitAPIException e) {
            throw new IOException("cannot initialize a repository in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void changeSettings(RepositoryName name, SettingsChange change) throws AdminException, IOException {
        try (DataDirectory.AdminLock lock = data.lockForChange()) {
            Path dir = gitDir(name);
            if (dir == null) {
                throw HostedRepositories.missing(name);
            }
            FileBasedConfig config = load(dir);
            change.apply(config);
            config.save();
        }
    }

    private static FileBasedConfig load(Path dir) throws IOException {
        FileBasedConfig config = new FileBasedConfig(dir.resolve("config").toFile(), FS.DETECTED);
        try {
            config.load();
        } catch (ConfigInvalidException e) {
            throw new IOException(dir.resolve("config") + " does not parse: " + e.getMessage(), e);
        }
        return config;
    }

    @Override
    public List<RepositoryName> names() throws IOException {
        List<RepositoryName> out = new ArrayList<>();
        try (DirectoryStream<Path> owners = Files.newDirectoryStream(data.repositories())) {
            for (Path owner : owners) {
                if (!Files.isDirectory(owner, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (DirectoryStream<Path> repos = Files.newDirectoryStream(owner, "*.git")) {
                    for (Path repo : repos) {
                        try {
                            RepositoryName name =
                                    RepositoryName.parse(owner.getFileName() + "/" + repo.getFileName());
                            if (gitDir(name) != null) {
                                out.add(name);
                            }
                        } catch (InvalidNameException e) {
                            // Not one the registry made: not hosted.
                        }
                    }
                }
            }
        }
        out.sort((a, b) -> a.toString().compareTo(b.toString()));
        return out;
    }

    /**
     * A pack is only dropped once older than keepAfter, and then its unreferenced objects are as old as it, so they
     * go with it: JGit would otherwise write them out as new loose objects that outlive this gc
     * ({@code gc.pruneExpire=now} turns that off, for this open repository only; nothing is saved).
     */
    @Override
    public void collectGarbage(Repository repo, Instant keepAfter) throws IOException {
        repo.getConfig().setString("gc", null, "pruneExpire", "now");
        GC gc = new GC((FileRepository) repo);
        gc.setExpire(keepAfter);
        gc.setPackExpire(Date.from(keepAfter));
        try {
            gc.gc().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("git gc of " + repo.getDirectory() + " was interrupted", e);
        } catch (ExecutionException | java.text.ParseException | GitAPIException e) {
            throw new IOException("git gc of " + repo.getDirectory() + " failed: " + e.getMessage(), e);
        }
    }
}
