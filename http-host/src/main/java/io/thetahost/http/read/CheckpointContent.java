package io.thetahost.http.read;

import io.thetahost.protocol.manifest.Checkpoints;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.manifest.TensorSource;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A tracked checkpoint (or the subset of its parameters an {@code ?include=} asks for), rebuilt from its manifest with
 * tensors streamed from the store. Memory: the manifest, and what the store's decoding streams hold (a chunk).
 */
final class CheckpointContent implements FileContent {
    private final Manifest manifest;
    private final TensorSource tensors;
    private String digestKey;

    CheckpointContent(Manifest manifest, TensorSource tensors) {
        this.manifest = manifest;
        this.tensors = tensors;
    }

    @Override
    public long size() {
        return manifest.fileSize();
    }

    /** The sha256 of the canonical manifest: equal manifests rebuild equal bytes, whatever blob or subset they are. */
    @Override
    public String digestKey() {
        if (digestKey == null) {
            try {
                byte[] canonical = ManifestFormat.write(manifest);
                digestKey = "manifest-" + HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(canonical));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }
        return digestKey;
    }

    @Override
    public void write(OutputStream out, long from, long to) throws IOException {
        Checkpoints.assemble(manifest, tensors, out, from, to);
    }

    @Override
    public Optional<Manifest> manifest() {
        return Optional.of(manifest);
    }
}
