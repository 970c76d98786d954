package io.thetahost.client.store;

import io.thetahost.client.progress.Progress;
import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.KindEncoders;
import io.thetahost.codec.encode.SpillBuffer;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.TensorStore;
import io.thetahost.protocol.manifest.Checkpoints;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.manifest.TensorSink;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.safetensors.SafetensorsReader;
import io.thetahost.protocol.safetensors.TensorEntry;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The client's tensor store ({@code .git/theta/}, or any folder): the same store as the server's, holding the
 * tensors of the checkpoints it has seen, so that a checkpoint can be rebuilt byte for byte from its manifest and
 * patches can be made against, or applied to, what is already here.
 */
public final class LocalStore implements AutoCloseable {
    /** The name grants use in a client's store: everything in it is the user's to read. */
    public static final String OWNER = "local";

    private final TensorStore store;
    private final EncoderOptions options;

    private LocalStore(TensorStore store, EncoderOptions options) {
        this.store = store;
        this.options = options;
    }

    public static LocalStore open(Path dir) throws IOException {
        return new LocalStore(TensorStore.open(dir, StoreOptions.defaults()), EncoderOptions.defaults());
    }

    public TensorStore tensors() {
        return store;
    }

    public boolean has(TensorId id) {
        return store.meta(id).isPresent();
    }

    /** A stored tensor as an encoder's input, read back (decoded) each time it is opened. */
    public Optional<TensorInput> input(TensorId id) {
        return store.meta(id).map(m -> new TensorInput.Of(m.dtype(), m.shape(),
                () -> store.open(id).orElseThrow(() -> new IOException("tensor " + id + " left the store"))));
    }

    public Optional<TensorMeta> meta(TensorId id) {
        return store.meta(id);
    }

    /**
     * Stores every tensor of a safetensors file that is not stored yet (dense; the store checks each id) and returns
     * the file's manifest.
     */
    public Manifest add(Path checkpoint, Progress progress) throws IOException {
        long started = System.nanoTime();
        progress.update("theta: hashing " + checkpoint.getFileName());
        Manifest manifest = Checkpoints.split(checkpoint, SafetensorsLimits.defaults(), TensorSink.DISCARD);
        long dataStart;
        int added = 0;
        try (SafetensorsReader reader = SafetensorsReader.open(checkpoint, SafetensorsLimits.defaults())) {
            dataStart = 8L + reader.header().length();
            KindEncoders encoders = new KindEncoders(options);
            int total = reader.header().tensors().size();
            int i = 0;
            for (TensorEntry entry : reader.header().tensors()) {
                TensorId id = manifest.tensors().get(i++).id();
                progress.update("theta: storing " + checkpoint.getFileName() + " locally: " + i + "/" + total);
                if (has(id)) {
                    continue;
                }
                added++;
                TensorInput t = TensorInput.inFile(checkpoint, dataStart + entry.begin(), entry.dtype(),
                        entry.shape());
                try (SpillBuffer encoded = new SpillBuffer(options.chunkBytes())) {
                    encoders.dense(t, id, encoded);
                    try (InputStream in = encoded.open()) {
                        store.put(in, OWNER);
                    }
                }
            }
        }
        progress.done(String.format("theta: stored %s locally: %d tensors, %d new, in %.1f s",
                checkpoint.getFileName(), manifest.tensors().size(), added, (System.nanoTime() - started) / 1e9));
        return manifest;
    }

    /**
     * Writes the checkpoint a manifest describes, from the tensors here, through a temporary file renamed into place
     * only when every tensor hashed to its id: a wrong checkpoint is never written.
     */
    public void assemble(Manifest manifest, Path out) throws IOException {
        Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), ".theta-", ".partial");
        try {
            try (OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                Checkpoints.assemble(manifest, (id, dtype, shape) -> store.open(id).orElseThrow(
                        () -> new IOException("tensor " + id + " is not in the local store")), o);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The ids a manifest names that this store does not hold. */
    public java.util.List<TensorId> missing(Manifest manifest) {
        return manifest.tensors().stream().map(ManifestTensor::id).filter(id -> !has(id)).distinct().toList();
    }

    @Override
    public void close() {
        store.close();
    }
}
