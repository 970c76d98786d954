package io.thetahost.client.store;

import io.thetahost.client.checkpoint.Checkpoint;
import io.thetahost.client.progress.Progress;
import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.KindEncoders;
import io.thetahost.codec.encode.SpillBuffer;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.RocksTensorStore;
import io.thetahost.objectdb.TensorStore;
import io.thetahost.objectdb.read.ReadAhead;
import io.thetahost.protocol.manifest.Checkpoints;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.TensorSource;
import io.thetahost.protocol.safetensors.TensorEntry;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The client's tensor store ({@code .git/theta/}, or any folder): the same store as the server's, holding the
 * tensors of the checkpoints it has seen, so that a checkpoint can be rebuilt byte for byte from its manifest and
 * patches can be made against, or applied to, what is already here.
 */
public final class LocalStore implements AutoCloseable {
    /** The name grants use in a client's store: everything in it is the user's to read. */
    public static final String OWNER = "local";

    /** How long opening waits for another theta (a filter, a hook) to close the store. */
    private static final long OPEN_WAIT_MILLIS = 30_000;

    private final TensorStore store;
    private final ParameterIndex parameters;
    private final EncoderOptions options;
    /** A download and an assembly run at once: see {@link #overlapDownloadAndAssembly()}. */
    private volatile boolean overlapped;

    private LocalStore(TensorStore store, ParameterIndex parameters, EncoderOptions options) {
        this.store = store;
        this.parameters = parameters;
        this.options = options;
    }

    /**
     * Opens (creating) the store in {@code dir}. One process at a time holds it; another theta that holds it is
     * waited for, up to {@link #OPEN_WAIT_MILLIS}.
     */
    public static LocalStore open(Path dir) throws IOException {
        Files.createDirectories(dir);
        long deadline = System.currentTimeMillis() + OPEN_WAIT_MILLIS;
        while (true) {
            try {
                TensorStore store = RocksTensorStore.open(dir, StoreOptions.defaults());
                return new LocalStore(store, ParameterIndex.open(dir.resolve("parameters")), EncoderOptions.defaults());
            } catch (IOException e) {
                if (!String.valueOf(e.getMessage()).contains("lock") || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the tensor store " + dir, interrupted);
                }
            }
        }
    }

    public EncoderOptions encoderOptions() {
        return options;
    }

    /** How a tensor is encoded for the store: with these encoders, the tensor and its id, into {@code out}. */
    @FunctionalInterface
    public interface Encoding {
        void write(KindEncoders encoders, TensorInput tensor, TensorId id, OutputStream out) throws IOException;
    }

    /**
     * Stores a tensor computed here (an update applied, a merge), whose raw bytes are in {@code raw}, encoded as
     * {@code encoding} unless the store holds it already, and returns its id.
     */
    public TensorId putComputed(DType dtype, Shape shape, SpillBuffer raw, Encoding encoding) throws IOException {
        TensorInput tensor = new TensorInput.Of(dtype, shape, raw::open);
        TensorId id = Checkpoint.id(tensor);
        putEncoded(tensor, id, encoding);
        return id;
    }

    /** Encodes a tensor into a spill buffer (the chunk size in memory, the rest on disk) and stores it, if new. */
    private void putEncoded(TensorInput tensor, TensorId id, Encoding encoding) throws IOException {
        if (has(id)) {
            return;
        }
        try (SpillBuffer encoded = new SpillBuffer(options.chunkBytes())) {
            encoding.write(new KindEncoders(options), tensor, id, encoded);
            try (InputStream in = encoded.open()) {
                store.put(in, OWNER);
            }
        }
    }

    /** The versions of each parameter seen here. */
    public ParameterIndex parameters() {
        return parameters;
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

    /** Stores every tensor of a safetensors file not stored yet, and returns the file's manifest. */
    public Manifest add(Path checkpoint, Progress progress) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(checkpoint), 1 << 16)) {
            return add(in, checkpoint.getFileName().toString(), progress);
        }
    }

    /**
     * Stores every tensor of a safetensors stream not stored yet (dense; the store checks each id), reading the
     * stream once, and returns its manifest, recorded in {@link #parameters()}. Tensors are encoded and stored on
     * {@link #WORKER_THREADS} workers while the next one is read. Memory: each tensor is held in memory up to the
     * encoder's chunk size (spilled to a temporary file beyond it), and the tensors in flight together within
     * {@link #storeBudget()}.
     */
    public Manifest add(InputStream checkpoint, String label, Progress progress) throws IOException {
        long started = System.nanoTime();
        int[] counts = new int[2];
        long[] bytes = new long[1];
        Set<TensorId> submitted = new HashSet<>();
        Manifest manifest;
        try (StoreWorkers workers = new StoreWorkers(WORKER_THREADS, storeBudget())) {
            manifest = Checkpoints.split(checkpoint, SafetensorsLimits.defaults(), (entry, tensor) -> {
                counts[0]++;
                StoreWorkers.Held raw = workers.hold(weight(entry.size()), tensor, entry.size(), options.chunkBytes());
                bytes[0] += raw.size();
                progress.update("theta: storing " + label + " locally: " + counts[0] + " tensors, "
                        + bytes[0] / (1024 * 1024) + " MiB");
                TensorId id = tensor.id();
                boolean fresh;
                try {
                    fresh = !has(id) && submitted.add(id);
                } catch (RuntimeException e) {
                    raw.close();
                    throw e;
                }
                if (!fresh) {
                    raw.close();
                    return;
                }
                counts[1]++;
                workers.submit(raw, copy -> putEncoded(new TensorInput.Of(entry.dtype(), entry.shape(), copy::open),
                        id, KindEncoders::dense));
            });
            workers.finish();
        }
        parameters.record(manifest);
        if (counts[1] > 0) {
            progress.done(String.format("theta: stored %s locally: %d tensors (%d new)%s", label,
                    manifest.tensors().size(), counts[1], Progress.rate(bytes[0], started)));
        } else {
            progress.end();
        }
        return manifest;
    }

    /**
     * Verifies and stores encodings as they arrive (a download) on worker threads, while the caller reads the next
     * one off the wire: each is copied into a {@link SpillBuffer} (in memory up to the chunk size), then decoded
     * against its base, checked against its id and stored by a worker. Memory: the encodings in flight within
     * {@link #storeBudget()}, as {@link #add(InputStream, String, Progress)}.
     */
    public Receiver receiver() {
        return new Receiver(overlapped ? weight(Long.MAX_VALUE) : storeBudget());
    }

    /**
     * From now on a download and an assembly run at once (a checkout that writes each tensor while later ones
     * download): each gets part of the memory it has alone, so that together they stay within the heap. A download
     * then verifies one encoding while it reads the next (its weight: five chunks), and an assembly decodes one tensor
     * ahead into a pipe of a sixteenth of the heap; at the launcher's 256 MiB heap and 16 MiB chunks, 80 MiB plus
     * about 80 MiB, where alone they may take five eighths and three quarters of it.
     */
    public void overlapDownloadAndAssembly() {
        overlapped = true;
    }

    /** See {@link #receiver()}. Close it after {@link #finish()}, or to give up. */
    public final class Receiver implements AutoCloseable {
        private final StoreWorkers workers;

        private Receiver(long budget) {
            workers = new StoreWorkers(WORKER_THREADS, budget);
        }

        /**
         * Reads one encoding of {@code length} bytes to its end and stores it in the background; the stored tensor
         * must be {@code expected}, else {@link #finish()} fails.
         */
        public void put(InputStream encoding, long length, TensorId expected) throws IOException {
            StoreWorkers.Held held = workers.hold(weight(Long.MAX_VALUE), encoding, length, options.chunkBytes());
            workers.submit(held, copy -> {
                try (InputStream in = copy.open()) {
                    TensorId stored = store.put(in, OWNER).id();
                    if (!stored.equals(expected)) {
                        throw new IOException("the server sent " + stored + " for " + expected);
                    }
                }
            });
        }

        /** Waits until every encoding given is stored, and throws the first failure. */
        public void finish() throws IOException {
            workers.finish();
        }

        @Override
        public void close() {
            workers.close();
        }
    }

    /** Workers that encode and store, or decode, tensors: one per core, up to 4 (a filter shares the machine with git). */
    private static final int WORKER_THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    /**
     * What the tensors being stored may hold together: five eighths of the heap (two tensors of a full chunk at the
     * launcher's 256 MiB), the rest being for the manifest and the store's reads.
     */
    private static long storeBudget() {
        return Runtime.getRuntime().maxMemory() / 8 * 5;
    }

    /**
     * What storing a tensor holds at most: its bytes up to a chunk, a chunk's byte planes and their compressed form,
     * the encoding up to a chunk, and the store's decoding of it as it checks the id.
     */
    private long weight(long tensorBytes) {
        return 5 * Math.min(tensorBytes, options.chunkBytes());
    }

    /**
     * Writes the checkpoint a manifest describes, from the tensors here, through a temporary file renamed into place
     * only when every tensor hashed to its id: a wrong checkpoint is never written.
     */
    public void assemble(Manifest manifest, Path out) throws IOException {
        // Created as git creates a work tree's files (0666 less the umask), not as createTempFile does (0600): the
        // checkpoint keeps the permissions it gets here.
        Path tmp = out.toAbsolutePath().getParent().resolve(".theta-" + java.util.UUID.randomUUID() + ".partial");
        try {
            try (OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(tmp,
                    java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE), 1 << 16)) {
                assemble(manifest, o);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Streams the checkpoint a manifest describes; each tensor is checked against its id as it goes, and a mismatch
     * fails naming the tensor, so whoever reads {@code out} must discard it on failure.
     */
    public void assemble(Manifest manifest, OutputStream out) throws IOException {
        assemble(manifest, out, id -> { });
    }

    /** Where a tensor comes from that may not be stored yet: a download still under way. */
    public interface Arrivals {
        /** Returns once the tensor is stored here; throws if it never will be. */
        void awaitStored(TensorId id) throws IOException;
    }

    /** As above, each tensor read once {@code arrivals} says it is stored (on the read-ahead's threads). */
    public void assemble(Manifest manifest, OutputStream out, Arrivals arrivals) throws IOException {
        // The store's decoder checks every tensor against its id as it ends (DecodingStream).
        TensorSource decoder = new TensorSource() {
            @Override
            public InputStream open(TensorId id, DType dtype, Shape shape) throws IOException {
                arrivals.awaitStored(id);
                return store.open(id).orElseThrow(() -> new IOException("not in the local store"));
            }

            @Override
            public boolean verifiesIds() {
                return true;
            }
        };
        List<TensorEntry> entries = manifest.header().tensors();
        List<ReadAhead.Item> order = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            order.add(new ReadAhead.Item(manifest.tensors().get(i).id(), entries.get(i).dtype(),
                    entries.get(i).shape()));
        }
        long heap = Runtime.getRuntime().maxMemory();
        try (ReadAhead ahead = overlapped ? new ReadAhead(order, decoder, 1, heap / 16)
                : new ReadAhead(order, decoder, WORKER_THREADS, heap / 8)) {
            Checkpoints.assemble(manifest, ahead, out);
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
