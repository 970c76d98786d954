package io.thetahost.client.diff;

import io.thetahost.client.checkpoint.Checkpoint;
import io.thetahost.client.store.LocalStore;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.protocol.manifest.Checkpoints;
import io.thetahost.protocol.manifest.InvalidManifestException;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.manifest.TensorSink;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One side of a diff as git hands it to the driver: {@code /dev/null}, a manifest (a blob from the repository), or
 * the checkpoint itself (git passes the work-tree file when it is the newer side), with a way to read each tensor's
 * values when they are here.
 */
final class DiffSide {
    private final Manifest manifest;
    private final Checkpoint file;

    private DiffSide(Manifest manifest, Checkpoint file) {
        this.manifest = manifest;
        this.file = file;
    }

    static DiffSide open(String path) throws IOException {
        if (path.equals("/dev/null")) {
            return new DiffSide(null, null);
        }
        Path p = Path.of(path);
        int first;
        try (InputStream in = Files.newInputStream(p)) {
            first = in.read();
        }
        if (first == '{' || first < 0) {
            try {
                return new DiffSide(ManifestFormat.read(Files.readAllBytes(p)), null);
            } catch (InvalidManifestException e) {
                throw new IOException("neither a theta manifest nor a checkpoint: " + e.getMessage(), e);
            }
        }
        return new DiffSide(Checkpoints.split(p, SafetensorsLimits.defaults(), TensorSink.DISCARD), Checkpoint.open(p));
    }

    /** Null for a side that does not exist (an added or deleted checkpoint). */
    Manifest manifest() {
        return manifest;
    }

    /** A tensor's values: from the checkpoint file on this side, else from the local store; empty if not here. */
    Optional<TensorInput> values(String name, TensorId id, LocalStore local) {
        if (file != null) {
            return Optional.ofNullable(file.tensors().get(name)).map(file::input);
        }
        return local == null ? Optional.empty() : local.input(id);
    }
}
