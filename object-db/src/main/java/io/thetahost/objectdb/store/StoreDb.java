package io.thetahost.objectdb.store;

import io.thetahost.objectdb.DiskFullException;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB database of one store, and the only class that calls RocksDB. Every call checks, under a read lock,
 * that the database is still open, so a stream or a thread that outlives {@link #close()} gets an
 * {@link IOException} instead of touching freed native memory. RocksDB's own errors become {@link IOException}s
 * that say what was being done.
 */
public final class StoreDb implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreDb.class);
    /** The store's on-disk format, in the default column family; see object-db/STORE.md. */
    static final byte[] FORMAT_KEY = "thetahost-store-format".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT = 1;

    static {
        RocksNativeLibrary.load();
    }

    private final Path path;
    /** The open database; replaced only under the write lock, when writes resume after a full disk. */
    private volatile Rocks rocks;
    private final WriteOptions plainWrites = new WriteOptions();
    private final WriteOptions syncedWrites = new WriteOptions().setSync(true);
    /**
     * For pieces: not through the write-ahead log, which would write every byte twice (log and blob file) and checksum
     * it twice; the log was a tenth of `git add`'s CPU time in a profile. Pieces written so are lost by a crash until
     * {@link #persistPieces} flushes them, which every writer does before the commit that makes them visible; see
     * object-db/STORE.md, "Visibility and crash safety".
     */
    private final WriteOptions unloggedWrites = new WriteOptions().setDisableWAL(true);
    /**
     * Counts the openings of the database. Pieces not yet flushed when the database is reopened after a full disk are
     * gone (the reopening does not flush), so a writer remembers the opening its pieces went into and
     * {@link #persistPieces} refuses if it changed.
     */
    private volatile long opening;
    /** Pieces written, and how many of them the last flush covered: one flush serves every writer that waits on it. */
    private final AtomicLong piecesPut = new AtomicLong();
    private long piecesPersisted;
    private final Object persisting = new Object();
    private final DirectPutBuffers directPuts = new DirectPutBuffers();
    private final ReadOptions latest = new ReadOptions();
    private final ReadOptions latestPieces = piecesOnly(new ReadOptions());
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Set<ReadView> openViews = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /**
     * Set when a write failed for lack of space. RocksDB then refuses every write (a background error it leaves only
     * through {@code DB::Resume()}, which RocksJava does not offer), so the next write first reopens the database.
     */
    private volatile boolean stoppedByFullDisk;

    /** One opening of the database: what RocksDB returns and what must be closed with it. */
    private static final class Rocks {
        final RocksDB db;
        final RocksSettings settings;
        final List<ColumnFamilyHandle> all;
        final Map<Column, ColumnFamilyHandle> handles = new EnumMap<>(Column.class);

        private Rocks(RocksDB db, RocksSettings settings, List<ColumnFamilyHandle> all) {
            this.db = db;
            this.settings = settings;
            this.all = all;
            for (Column c : Column.values()) {
                handles.put(c, all.get(c.ordinal() + 1));
            }
        }

        static Rocks open(Path dir) throws IOException {
            RocksSettings settings = new RocksSettings();
            List<ColumnFamilyHandle> all = new ArrayList<>();
            try {
                return new Rocks(RocksDB.open(settings.dbOptions(), dir.toString(), settings.families(), all),
                        settings, all);
            } catch (RocksDBException e) {
                settings.close();
                String hint = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("lock")
                        ? " (is another process using it?)" : "";
                String message = "cannot open the tensor store at " + dir + hint + ": " + e.getMessage();
                throw DiskFullException.causes(e) ? new DiskFullException(message, e) : new IOException(message, e);
            }
        }

        /**
         * Flushes every family's memtable first: RocksDB would otherwise leave it in the WAL, and the next open (the
         * next git command's filter) would read every log back, pieces included, before it could answer. A flush
         * that fails leaves the WAL to recovery, as a crash would. After a full disk there is no flush: it would take
         * the little space left, which the reopening's own recovery needs.
         */
        void close(boolean flush) throws RocksDBException {
            if (flush) {
                try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
                    db.flush(wait, all);
                } catch (RocksDBException e) {
                    LOG.warn("could not flush the tensor store before closing it; the next open recovers it from its "
                            + "log: " + e.getMessage());
                }
            }
            all.forEach(ColumnFamilyHandle::close);
            try {
                db.closeE();
            } finally {
                settings.close();
            }
        }
    }

    private StoreDb(Path path, Rocks rocks) {
        this.path = path;
        this.rocks = rocks;
    }

    /** Opens the database in {@code dir}, creating it and its column families if missing. */
    public static StoreDb open(Path dir) throws IOException {
        Files.createDirectories(dir);
        StoreDb store = new StoreDb(dir, Rocks.open(dir));
        try {
            store.checkFormat();
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void checkFormat() throws IOException {
        byte[] format = guarded("read the store format", () -> rocks.db.get(rocks.all.get(0), FORMAT_KEY));
        if (format == null) {
            guardedWrite("write the store format", () -> {
                rocks.db.put(rocks.all.get(0), syncedWrites, FORMAT_KEY, ByteBuffer.allocate(4).putInt(FORMAT).array());
                return null;
            });
        } else if (format.length != 4 || ByteBuffer.wrap(format).getInt() != FORMAT) {
            throw new IOException("the tensor store at " + path + " has format " + describeFormat(format)
                    + "; this version reads format " + FORMAT);
        }
    }

    private static String describeFormat(byte[] format) {
        return format.length == 4 ? Integer.toString(ByteBuffer.wrap(format).getInt())
                : "of " + format.length + " bytes";
    }

    public Path path() {
        return path;
    }

    /** The value under {@code key}, as of {@code view}, or the latest when {@code view} is null. */
    public byte[] get(ReadView view, Column column, byte[] key) throws IOException {
        boolean piece = column == Column.BLOBS;
        if (view == null) {
            return guarded("read " + column,
                    () -> rocks.db.get(rocks.handles.get(column), piece ? latestPieces : latest, key));
        }
        return guarded("read " + column, () -> view.read(piece,
                options -> rocks.db.get(rocks.handles.get(column), options, key)));
    }

    /**
     * Reads a piece into {@code into}, as of {@code view} (the latest when null): returns the piece's length, or -1
     * when there is none. A piece longer than {@code into} fills it and returns its whole length, so that the caller
     * can read it again into an array large enough.
     */
    public int getPiece(ReadView view, byte[] key, byte[] into) throws IOException {
        int n = guarded("read " + Column.BLOBS, () -> view == null
                ? rocks.db.get(rocks.handles.get(Column.BLOBS), latestPieces, key, into)
                : view.read(true, options -> rocks.db.get(rocks.handles.get(Column.BLOBS), options, key, into)));
        return n == RocksDB.NOT_FOUND ? -1 : n;
    }

    /**
     * Options for reading pieces: without RocksDB's checksum of each blob record, which this RocksDB build computes
     * without the CPU's CRC instruction (7% of a checkout's CPU time in a profile, one pass over every byte read). A
     * piece is only ever read as part of an encoding whose decoding is checked against the tensor's SHA-256 id, by
     * whoever decodes it (the reader here, fsck, or the client a stored encoding is sent to): that check finds every
     * change to a piece RocksDB's would, and more. Records (meta, access, pending) keep theirs: they have no id.
     */
    static ReadOptions piecesOnly(ReadOptions options) {
        return options.setVerifyChecksums(false);
    }

    /** The tensor's meta record, if it is stored. */
    public Optional<MetaRecord> meta(ReadView view, TensorId id) throws IOException {
        byte[] value = get(view, Column.META, Keys.tensor(id));
        return value == null ? Optional.empty() : Optional.of(MetaRecord.decode(id, value));
    }

    public void put(Column column, byte[] key, byte[] value, int valueLength, boolean sync) throws IOException {
        put(column, key, value, valueLength, sync ? syncedWrites : plainWrites);
    }

    /**
     * Writes one piece of a blob without the write-ahead log, and returns the opening of the database it went into,
     * for {@link #persistPieces}. The piece is lost by a crash until then.
     */
    public long putPiece(byte[] key, byte[] value, int valueLength) throws IOException {
        // Read before the write: a reopening between the two makes persistPieces fail an upload it need not have,
        // never pass one whose pieces went with the reopening.
        long into = opening;
        put(Column.BLOBS, key, value, valueLength, unloggedWrites);
        piecesPut.incrementAndGet();
        return into;
    }

    /**
     * Makes every piece written so far durable, by flushing the blob family's memtable to its files and waiting for
     * it; writers call it before committing the meta record that makes their pieces visible. Writers that wait here
     * together share one flush. Fails with {@link DiskFullException} if the database was reopened after a full disk
     * since {@code writtenIn} (from {@link #putPiece}): pieces written before that reopening and not yet flushed are
     * gone, and the upload must be sent again.
     */
    public void persistPieces(long writtenIn) throws IOException {
        long wanted = piecesPut.get();
        synchronized (persisting) {
            if (piecesPersisted < wanted) {
                long covered = piecesPut.get();
                guardedWrite("flush pieces to disk", () -> {
                    try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
                        rocks.db.flush(wait, rocks.handles.get(Column.BLOBS));
                    }
                    return null;
                });
                piecesPersisted = covered;
            }
        }
        if (opening != writtenIn) {
            throw new DiskFullException("tensor store at " + path + ": the store was reopened after the disk was full "
                    + "while this tensor was being written, and its pieces not yet on disk are gone; send it again",
                    null);
        }
    }

    private void put(Column column, byte[] key, byte[] value, int valueLength, WriteOptions options)
            throws IOException {
        guardedWrite("write " + column, () -> {
            ByteBuffer direct = DirectPutBuffers.suits(valueLength) ? directPuts.take(key.length + valueLength) : null;
            if (direct == null) {
                rocks.db.put(rocks.handles.get(column), options, key, 0, key.length, value, 0, valueLength);
                return null;
            }
            try {
                direct.put(key).put(value, 0, valueLength);
                rocks.db.put(rocks.handles.get(column), options, direct.slice(0, key.length),
                        direct.slice(key.length, valueLength));
            } finally {
                directPuts.give(direct);
            }
            return null;
        });
    }

    /**
     * Gives back the disk space of deleted pieces: rewrites the blob family's files with blob garbage collection on,
     * so live pieces move out of blob files that hold deleted ones, and those files go. The store keeps garbage
     * collection off otherwise (RocksSettings), so this is the only time live pieces are rewritten. Reads and writes
     * go on meanwhile; one reclaim runs at a time.
     */
    public synchronized void reclaimDeletedSpace() throws IOException {
        guardedWrite("reclaim the space of deleted pieces", () -> {
            ColumnFamilyHandle blobs = rocks.handles.get(Column.BLOBS);
            rocks.db.setOptions(blobs, RocksSettings.blobGarbageCollection(true));
            try {
                rocks.db.compactRange(blobs);
            } finally {
                rocks.db.setOptions(blobs, RocksSettings.blobGarbageCollection(false));
            }
            return null;
        });
    }

    /** Writes a batch atomically; with {@code sync}, the write-ahead log is on disk when this returns. */
    public void write(Batch batch, boolean sync) throws IOException {
        guardedWrite("write a batch", () -> {
            rocks.db.write(sync ? syncedWrites : plainWrites, batch.batch);
            return null;
        });
    }

    public Batch batch() {
        return new Batch();
    }

    /** A consistent view of the whole store (a RocksDB snapshot); close it when done. */
    public ReadView view() throws IOException {
        return guarded("take a snapshot", () -> {
            ReadView v = new ReadView(this, rocks.db.getSnapshot());
            openViews.add(v);
            return v;
        });
    }

    /** Called by {@link ReadView#close()}. */
    void release(ReadView view) {
        lifecycle.readLock().lock();
        try {
            if (openViews.remove(view) && !closed && rocks != null) {
                view.free(rocks.db);
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Runs {@code body} with a cursor over a column family, holding the store open until it returns (so
     * {@link #close()} waits for a scan in progress).
     */
    public <T> T scan(Column column, ReadView view, CursorBody<T> body) throws IOException {
        reopenIfClosedByFullDisk();
        lifecycle.readLock().lock();
        try {
            checkOpen();
            RocksIterator iterator;
            try {
                iterator = view == null ? rocks.db.newIterator(rocks.handles.get(column), latest)
                        : view.read(false, options -> rocks.db.newIterator(rocks.handles.get(column), options));
            } catch (RocksDBException e) {
                throw new IOException("tensor store at " + path + ": could not read " + column + ": "
                        + e.getMessage(), e);
            }
            try (RocksIterator it = iterator) {
                return body.run(new Cursor(it, column));
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private <T> T guarded(String what, RocksCall<T> call) throws IOException {
        reopenIfClosedByFullDisk();
        lifecycle.readLock().lock();
        try {
            checkOpen();
            return call.run();
        } catch (RocksDBException e) {
            String message = "tensor store at " + path + ": could not " + what + ": " + e.getMessage();
            if (DiskFullException.causes(e)) {
                stoppedByFullDisk = true;
                throw new DiskFullException(message, e);
            }
            throw new IOException(message, e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** A write: first, if an earlier one found the disk full, reopens the database so that it takes writes again. */
    private <T> T guardedWrite(String what, RocksCall<T> call) throws IOException {
        if (stoppedByFullDisk) {
            reopenAfterFullDisk();
        }
        return guarded(what, call);
    }

    /**
     * Closes and reopens the database, once calls in progress have ended. RocksDB replays its log as after a crash:
     * every write acknowledged before the disk filled is there, the one that failed is not. Views open across it are
     * released (a read through one fails, as after {@link #close()}). If the disk is still full the reopening fails
     * and every call fails with {@link DiskFullException} until a later write reopens it.
     */
    /** Any call: a database closed after a full disk, which could not be reopened then, is reopened first. */
    private void reopenIfClosedByFullDisk() throws IOException {
        if (stoppedByFullDisk && rocks == null) {
            reopenAfterFullDisk();
        }
    }

    private void reopenAfterFullDisk() throws IOException {
        lifecycle.writeLock().lock();
        try {
            if (!stoppedByFullDisk || closed) {
                return;
            }
            if (rocks != null) {
                for (ReadView v : openViews) {
                    v.free(rocks.db);
                }
                openViews.clear();
                try {
                    rocks.close(false);
                } catch (RocksDBException e) {
                    LOG.info("tensor store at {}: closing after the disk was full: {}", path, e.getMessage());
                }
                rocks = null;
            }
            opening++;
            rocks = Rocks.open(path);
            stoppedByFullDisk = false;
            LOG.info("tensor store at {}: reopened, writing again after the disk was full", path);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("the tensor store at " + path + " is closed");
        }
        if (rocks == null) {
            throw new DiskFullException("the tensor store at " + path + " is waiting for disk space to reopen", null);
        }
    }

    /** Waits for calls and scans in progress, releases every view still open, and closes the database. */
    @Override
    public void close() throws IOException {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (rocks != null) {
                    for (ReadView v : openViews) {
                        v.free(rocks.db);
                    }
                    openViews.clear();
                    rocks.close(!stoppedByFullDisk);
                }
            } catch (RocksDBException e) {
                throw new IOException("tensor store at " + path + ": could not close: " + e.getMessage(), e);
            } finally {
                rocks = null;
                latest.close();
                latestPieces.close();
                plainWrites.close();
                syncedWrites.close();
                unloggedWrites.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private interface RocksCall<T> {
        T run() throws RocksDBException, IOException;
    }

    /** What runs inside {@link #scan}. */
    public interface CursorBody<T> {
        T run(Cursor cursor) throws IOException;
    }

    /** Writes to apply atomically with {@link #write}. */
    public final class Batch implements AutoCloseable {
        private final WriteBatch batch = new WriteBatch();

        public Batch put(Column column, byte[] key, byte[] value) throws IOException {
            return apply(() -> batch.put(rocks.handles.get(column), key, value));
        }

        public Batch delete(Column column, byte[] key) throws IOException {
            return apply(() -> batch.delete(rocks.handles.get(column), key));
        }

        /** Deletes every key from {@code from} (inclusive) to {@code to} (exclusive). */
        public Batch deleteRange(Column column, byte[] from, byte[] to) throws IOException {
            return apply(() -> batch.deleteRange(rocks.handles.get(column), from, to));
        }

        public int count() {
            return batch.count();
        }

        /** Holds the store open, as the handles it names belong to the database open now. */
        private Batch apply(BatchCall call) throws IOException {
            reopenIfClosedByFullDisk();
            lifecycle.readLock().lock();
            try {
                checkOpen();
                call.run();
            } catch (RocksDBException e) {
                throw new IOException("tensor store at " + path + ": could not build a write: " + e.getMessage(), e);
            } finally {
                lifecycle.readLock().unlock();
            }
            return this;
        }

        @Override
        public void close() {
            batch.close();
        }
    }

    private interface BatchCall {
        void run() throws RocksDBException;
    }
}
