package io.thetahost.http.read;

import io.thetahost.objectdb.read.ReadAhead;
import io.thetahost.protocol.manifest.Checkpoints;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.manifest.TensorSource;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A tracked checkpoint (or the subset of its parameters an {@code ?include=} asks for), rebuilt from its manifest with
 * tensors streamed from the store. Memory: the manifest, and the decoding ahead ({@link #write}).
 */
final class CheckpointContent implements FileContent {
    static final int DECODERS = 2;
    static final long BYTES_AHEAD = 8L << 20;
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

    /**
     * Tensors are decoded ahead on {@link #DECODERS} threads, each holding at most {@link #BYTES_AHEAD} of decoded
     * bytes: that, and a chunk per decoding, is what one download holds whatever the checkpoint's size (and the
     * worker pool bounds how many run at once).
     */
    @Override
    public void write(OutputStream out, long from, long to) throws IOException {
        List<ReadAhead.Item> order = new ArrayList<>();
        for (ManifestTensor t : Checkpoints.tensorsIn(manifest, from, to)) {
            order.add(new ReadAhead.Item(t.id(), t.dtype(), t.shape()));
        }
        try (ReadAhead ahead = new ReadAhead(order, tensors, DECODERS, BYTES_AHEAD)) {
            Checkpoints.assemble(manifest, ahead, out, from, to);
        }
    }

    @Override
    public Optional<Manifest> manifest() {
        return Optional.of(manifest);
    }
}
