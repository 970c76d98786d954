package io.thetahost.client.repository;

import io.thetahost.client.git.Git;
import io.thetahost.protocol.manifest.InvalidManifestException;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A tracked checkpoint as a commit holds it: its path in the repository, its file in the work tree, and the manifest
 * git stores for it.
 *
 * @param path the path from the top of the work tree, with {@code /}
 */
public record CommittedCheckpoint(String path, Path file, Manifest manifest) {

    /**
     * The checkpoint at {@code file} (relative to the current directory) as {@code revision} holds it; the empty
     * revision is the index (what is staged).
     */
    public static CommittedCheckpoint at(ThetaRepository repo, Path file, String revision) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        Path top = repo.workTree().toAbsolutePath().normalize();
        if (!absolute.startsWith(top)) {
            throw new IllegalArgumentException(file + " is outside the work tree " + top);
        }
        String path = top.relativize(absolute).toString().replace('\\', '/');
        Git.Result blob = repo.git().run(List.of("cat-file", "blob", revision + ":" + path), "");
        if (!blob.ok()) {
            throw new IllegalArgumentException(path + (revision.isEmpty() ? " is not staged; git add it first"
                    : " is not committed at " + revision + "; commit the checkpoint first"));
        }
        try {
            return new CommittedCheckpoint(path, absolute, ManifestFormat.read(blob.bytes()));
        } catch (InvalidManifestException e) {
            throw new IllegalArgumentException(path + " at " + (revision.isEmpty() ? "the index" : revision)
                    + " is not a theta checkpoint ("
                    + e.getMessage() + "); track it with theta track and commit it again");
        }
    }
}
