package io.thetahost.objectdb;

import io.thetahost.codec.encode.Encoder;
import io.thetahost.codec.encode.LowRankDetector;
import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.objectdb.fsck.Fsck;
import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.objectdb.gc.Collector;
import io.thetahost.objectdb.gc.GcReport;
import io.thetahost.objectdb.put.Upload;
import io.thetahost.objectdb.repack.Neighbours;
import io.thetahost.objectdb.repack.RepackReport;
import io.thetahost.objectdb.repack.Repacker;
import io.thetahost.objectdb.repack.RocksRepackStorage;
import io.thetahost.objectdb.read.TensorReader;
import io.thetahost.objectdb.store.Column;
import io.thetahost.objectdb.store.InFlightBlobs;
import io.thetahost.objectdb.store.Keys;
import io.thetahost.objectdb.store.MetaRecord;
import io.thetahost.objectdb.store.Orphans;
import io.thetahost.objectdb.store.StoreDb;
import io.thetahost.objectdb.store.StoreLocks;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The tensor store of one process (docs/DESIGN.md section 2): encodings in RocksDB (one store per embedded daemon;
 * the client's {@code .git/theta/} is the same store opened locally). A process killed at any moment leaves a store
 * that {@link #fsck()} finds clean once reopened; gc gives the swept space back to the disk, and uploads' commits wait
 * while it sweeps. Safe for many threads; one
 * process at a time (RocksDB locks the directory).
 *
 * <p>Layout: {@code <dir>/rocksdb} (see object-db/STORE.md) and {@code <dir>/tmp} (re-encoding spills, unless
 * {@link StoreOptions#tempDir()} says otherwise).
 */
public final class RocksTensorStore implements TensorStore {
    private final StoreOptions options;
    private final StoreDb db;
    private final StoreLocks locks = new StoreLocks();
    private final InFlightBlobs inFlight = new InFlightBlobs();
    private final TensorReader reader;
    private final Upload upload;
    private final ReentrantLock repacking = new ReentrantLock();

    private RocksTensorStore(StoreOptions options, Path tempDir, StoreDb db) {
        this.options = options;
        this.db = db;
        this.reader = new TensorReader(db, options.limits());
        this.upload = new Upload(db, reader, locks, inFlight, options, tempDir);
    }

    /**
     * Opens the store in {@code dir}, creating it if missing, and deletes what interrupted uploads left: their
     * pieces, and their spill files when the store owns its temporary folder.
     *
     * @throws IOException if the store cannot be opened (in use by another process, a newer format, a disk error)
     */
    public static RocksTensorStore open(Path dir, StoreOptions options) throws IOException {
        Path tempDir = options.tempDir() != null ? options.tempDir() : dir.resolve("tmp");
        StoreDb db = StoreDb.open(dir.resolve("rocksdb"));
        try {
            // Only now, holding the database's lock, is no other process using the store's own spill files.
            if (options.tempDir() == null && Files.isDirectory(tempDir)) {
                clearOwnTempDir(tempDir);
            }
            Orphans.reclaim(db, new InFlightBlobs());
            return new RocksTensorStore(options, tempDir, db);
        } catch (IOException | RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** Only for the store's own folder, which no other store shares. */
    private static void clearOwnTempDir(Path tempDir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tempDir, "reencode-*.raw")) {
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
        try {
            return db.meta(null, id).map(MetaRecord::meta);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean readable(String repository, TensorId id) {
        try {
            return db.get(null, Column.ACCESS, Keys.access(repository, id)) != null
                    && db.get(null, Column.META, Keys.tensor(id)) != null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void grant(String repository, TensorId id) throws IOException {
        byte[] key = Keys.access(repository, id);
        Lock shared = locks.commit();
        shared.lock();
        try {
            // Under the commit lock, gc cannot remove the tensor between this check and the write.
            if (db.get(null, Column.META, Keys.tensor(id)) == null) {
                throw new IOException("cannot grant " + repository + " access to " + id + ": it is not stored");
            }
            if (db.get(null, Column.ACCESS, key) == null) {
                db.put(Column.ACCESS, key, Keys.time(System.currentTimeMillis()), 8, true);
            }
        } finally {
            shared.unlock();
        }
    }

    @Override
    public PutResult put(InputStream encoding, String repository) throws IOException {
        return upload.put(encoding, repository);
    }

    @Override
    public Optional<InputStream> open(TensorId id) throws IOException {
        return reader.open(id);
    }

    @Override
    public Optional<StoredEncoding> encoding(TensorId id) throws IOException {
        return reader.encoding(id);
    }

    @Override
    public FsckReport fsck() {
        try {
            return Fsck.run(db, reader, inFlight, options.maxChainDepth());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public GcReport gc(Set<TensorId> live, Instant keepStoredAfter) {
        try {
            GcReport report = new Collector(db, locks, inFlight).collect(live, keepStoredAfter);
            if (report.bytesFreed() > 0) {
                db.reclaimDeletedSpace();
            }
            return report;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public RepackReport repack(Collection<Neighbours> neighbours, Consumer<String> progress) throws IOException {
        if (!repacking.tryLock()) {
            throw new IOException("a repack of this tensor store is already running");
        }
        try {
            Encoder encoder = new Encoder(options.encoderOptions(), LowRankDetector.NONE);
            RepackReport report = new Repacker(new RocksRepackStorage(db, reader, locks, inFlight, options), options,
                    encoder).repack(neighbours, progress);
            if (report.reencoded() > 0) {
                db.reclaimDeletedSpace();
            }
            return report;
        } finally {
            repacking.unlock();
        }
    }

    /** Waits for scans in progress, releases open streams' views (reading them fails from now on), and closes. */
    @Override
    public void close() {
        try {
            db.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
