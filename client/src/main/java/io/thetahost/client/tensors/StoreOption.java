package io.thetahost.client.tensors;

import io.thetahost.client.store.LocalStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --store DIR} option: the local tensor store, {@code .git/theta} inside a git work tree by default. */
public final class StoreOption {
    @Option(names = "--store", paramLabel = "DIR",
            description = "The local tensor store. Default: .git/theta of the git repository here.")
    Path store;

    public LocalStore open() throws IOException {
        Path dir = store;
        if (dir == null) {
            if (!Files.isDirectory(Path.of(".git"))) {
                throw new IllegalArgumentException("not in a git work tree; give the tensor store with --store DIR");
            }
            dir = Path.of(".git", "theta");
        }
        return LocalStore.open(dir);
    }
}
