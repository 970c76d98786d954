package io.thetahost.http.read;

import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.hooks.receive.checkpoints.ManifestBlobs;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ParameterGlob;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * One repository opened for reading, after the caller's access was checked: its revisions, files, and the content of
 * each file as a reader downloads it (a tracked checkpoint rebuilt from the store).
 */
public final class RepositoryReader implements AutoCloseable {
    private final ReadContext context;
    private final RepositoryName name;
    private final Repository repository;
    private final ObjectReader reader;
    private final ManifestBlobs manifests;

    private RepositoryReader(ReadContext context, RepositoryName name, Repository repository) {
        this.context = context;
        this.name = name;
        this.repository = repository;
        this.reader = repository.newObjectReader();
        this.manifests = new ManifestBlobs(reader, context.limits(), context.manifestBudget());
    }

    /** Opens {@code name} for {@code caller}, or refuses alike whether it is missing or not readable. */
    public static RepositoryReader open(ReadContext context, io.thetahost.hooks.access.Caller caller,
            RepositoryName name) throws ReadRefusal, IOException {
        context.access().checkRead(caller, name);
        Repository repository;
        try {
            repository = context.access().registry().open(name);
        } catch (org.eclipse.jgit.errors.RepositoryNotFoundException e) {
            throw ReadRefusal.of(404, ReadRefusal.REPO_NOT_FOUND, ReadAccess.NOT_FOUND);
        }
        return new RepositoryReader(context, name, repository);
    }

    public RepositoryName name() {
        return name;
    }

    public Repository repository() {
        return repository;
    }

    public ReadContext context() {
        return context;
    }

    /** The files at {@code revision} (branch, tag or commit id). */
    public RevisionTree at(String revision) throws ReadRefusal, IOException {
        Optional<RevCommit> commit = Revisions.resolve(repository, revision);
        if (commit.isEmpty()) {
            throw ReadRefusal.of(404, ReadRefusal.REVISION_NOT_FOUND, "revision '" + revision + "' not found in "
                    + name + ": use a branch, a tag or a commit id");
        }
        return new RevisionTree(reader, commit.get());
    }

    /** The entry at {@code path}, which must be a file. */
    public RevisionTree.Entry file(RevisionTree tree, String path) throws ReadRefusal, IOException {
        Optional<RevisionTree.Entry> entry = tree.entry(RequestPaths.checkPath(path));
        if (entry.isEmpty() || !entry.get().isFile()) {
            throw ReadRefusal.of(404, ReadRefusal.ENTRY_NOT_FOUND, "no file '" + path + "' at "
                    + tree.commit().name() + " in " + name);
        }
        return entry.get();
    }

    /** The manifest a file's blob holds, when the file is a tracked checkpoint. */
    public Optional<Manifest> manifest(RevisionTree.Entry file) throws IOException {
        if (!file.isFile() || file.size() > context.limits().maxManifestBytes()
                || !manifests.opensLikeManifest(file.id())) {
            return Optional.empty();
        }
        ManifestBlobs.Read read = manifests.read(file.id());
        return read.isManifest() ? Optional.of(read.manifest()) : Optional.empty();
    }

    /**
     * The file as downloaded; with {@code include} globs, the safetensors file of a tracked checkpoint's matching
     * parameters only.
     *
     * @throws ReadRefusal 400 for an invalid glob, or {@code include} on a file that is not a tracked checkpoint; 404
     *     when no parameter matches
     */
    public FileContent content(RevisionTree.Entry file, List<String> include) throws ReadRefusal, IOException {
        Optional<Manifest> manifest = manifest(file);
        if (manifest.isEmpty()) {
            if (!include.isEmpty()) {
                throw ReadRefusal.badRequest("?include= selects parameters of a tracked checkpoint; '"
                        + file.path() + "' is not one");
            }
            return new BlobContent(reader, file.id(), file.size());
        }
        Manifest m = manifest.get();
        if (!include.isEmpty()) {
            Predicate<String> wanted;
            try {
                wanted = ParameterGlob.anyOf(include);
            } catch (IllegalArgumentException e) {
                throw ReadRefusal.badRequest("invalid ?include= glob: " + e.getMessage());
            }
            m = m.subset(wanted).orElseThrow(() -> ReadRefusal.of(404, ReadRefusal.ENTRY_NOT_FOUND,
                    "no parameter of " + file.path() + " matches ?include=" + String.join(", ", include)));
        }
        return new CheckpointContent(m, new StoreTensors(context.store(), name.toString()));
    }

    @Override
    public void close() {
        reader.close();
        repository.close();
    }
}
