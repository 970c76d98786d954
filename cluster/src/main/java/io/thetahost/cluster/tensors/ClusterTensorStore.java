package io.thetahost.cluster.tensors;

import io.thetahost.cluster.database.ClusterDatabase;
import io.thetahost.cluster.objects.ObjectStore;
import io.thetahost.codec.encode.Encoder;
import io.thetahost.codec.encode.LowRankDetector;
import io.thetahost.objectdb.PutResult;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.StoredEncoding;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.TensorStore;
import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.objectdb.gc.GcReport;
import io.thetahost.objectdb.repack.Neighbours;
import io.thetahost.objectdb.repack.RepackReport;
import io.thetahost.objectdb.repack.Repacker;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The tensor store several fronts share (docs/CLUSTER.md, Tensors): rows in PostgreSQL ({@code tensors},
 * {@code tensor_grants}, {@code pending_uploads}), encodings in an object store under {@code tensors/<id>/<uuid>}. A
 * tensor is visible once its row is committed, which happens only after its encoding was verified and written whole;
 * every front sees it at its next read. Safe for many threads and many processes at once.
 *
 * <p>The front's local directory holds only what may be lost: {@code cache/} (encodings recently read, at most
 * {@code cacheBytes}) and {@code spool/} (uploads and re-encodings being verified; emptied when the store opens, unless
 * {@link StoreOptions#tempDir()} names another folder). One store per local directory.
 *
 * <p>The database and the object store belong to the caller, who closes them after this store (a daemon shares them
 * with its git storage). {@link StoreOptions#pieceBytes()} has no meaning here: objects are read in ranged GETs of
 * {@link ObjectStream#WINDOW} bytes.
 */
public final class ClusterTensorStore implements TensorStore {
    private final StoreOptions options;
    private final TensorRows rows;
    private final ObjectStore objects;
    private final EncodingCache cache;
    private final ChainReader reader;
    private final ClusterUpload upload;
    private final Clock clock;
    private final String front;
    private final Path spoolDir;
    private volatile boolean closed;

    /**
     * @param front this process's name, recorded with its uploads (pending_uploads.front) for people to read
     * @param localDir the front's own directory for the cache and spool files
     * @param cacheBytes the most the encoding cache may hold (0: none)
     * @throws IOException if the local directory cannot be prepared
     */
    public ClusterTensorStore(ClusterDatabase database, ObjectStore objects, StoreOptions options, String front,
            Path localDir, long cacheBytes) throws IOException {
        this(database, objects, options, front, localDir, cacheBytes, Clock.systemUTC());
    }

    /** With another clock, by which gc and fsck judge whether an upload was given up (tests). */
    ClusterTensorStore(ClusterDatabase database, ObjectStore objects, StoreOptions options, String front,
            Path localDir, long cacheBytes, Clock clock) throws IOException {
        this.options = Objects.requireNonNull(options, "options");
        this.objects = Objects.requireNonNull(objects, "objects");
        this.clock = clock;
        this.rows = new TensorRows(Objects.requireNonNull(database, "database"));
        this.cache = new EncodingCache(localDir.resolve("cache"), cacheBytes);
        this.front = Objects.requireNonNull(front, "front");
        this.spoolDir = options.tempDir() != null ? options.tempDir() : localDir.resolve("spool");
        Files.createDirectories(spoolDir);
        if (options.tempDir() == null) {
            clearSpool(spoolDir);
        }
        this.reader = new ChainReader(rows, objects, cache, options.limits());
        this.upload = new ClusterUpload(rows, objects, reader, options, front, spoolDir, clock);
    }

    /** What an earlier run of this front left: its uploads failed with it. Only the store's own folder. */
    private static void clearSpool(Path spoolDir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(spoolDir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
    }

    @Override
    public StoreOptions options() {
        return options;
    }

    @Override
    public Optional<TensorMeta> meta(TensorId id) {
        checkOpen();
        try {
            Optional<TensorRow> row = rows.row(id);
            return row.isEmpty() ? Optional.empty() : Optional.of(row.get().meta());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean readable(String repository, TensorId id) {
        checkOpen();
        try {
            return rows.readable(repository, id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void grant(String repository, TensorId id) throws IOException {
        checkOpen();
        rows.grant(repository, id);
    }

    @Override
    public PutResult put(InputStream encoding, String repository) throws IOException {
        checkOpen();
        return upload.put(encoding, repository);
    }

    @Override
    public Optional<InputStream> open(TensorId id) throws IOException {
        checkOpen();
        return reader.open(id);
    }

    @Override
    public Optional<StoredEncoding> encoding(TensorId id) throws IOException {
        checkOpen();
        return reader.encoding(id);
    }

    @Override
    public FsckReport fsck() {
        checkOpen();
        try {
            return new ClusterFsck(rows, objects, reader, options.maxChainDepth(), clock).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public GcReport gc(Set<TensorId> live, Instant keepStoredAfter) {
        checkOpen();
        try {
            return new ClusterCollector(rows, objects, cache, clock).collect(live, keepStoredAfter);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * By the RocksDB store's rules ({@link Repacker}); one at a time across fronts (a PostgreSQL advisory lock), each
     * re-encoding written and committed as {@link ClusterRepackStorage} says. The encoder has no low-rank detection,
     * as the RocksDB store's: the server has no SVD.
     */
    @Override
    public RepackReport repack(Collection<Neighbours> neighbours, Consumer<String> progress) throws IOException {
        checkOpen();
        try (TensorRows.RepackLock lock = rows.lockRepack()) {
            Encoder encoder = new Encoder(options.encoderOptions(), LowRankDetector.NONE);
            ClusterRepackStorage storage = new ClusterRepackStorage(rows, objects, reader, cache, options, front,
                    spoolDir, clock);
            return new Repacker(storage, options, encoder).repack(neighbours, progress);
        }
    }

    /**
     * Refuses further calls. Streams already open go on reading
     * (from the object store, which the caller still holds); the cache stays on disk for the next start.
     */
    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the cluster tensor store is closed");
        }
    }
}
