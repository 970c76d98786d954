package io.thetahost.objectdb.store;

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
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB database of one store, and the only class that calls RocksDB. Every call checks, under a read lock,
 * that the database is still open, so a stream or a thread that outlives {@link #close()} gets an
 * {@link IOException} instead of touching freed native memory. RocksDB's own errors become {@link IOException}s
 * that say what was being done.
 */
public final class StoreDb implements AutoCloseable {
    /** The store's on-disk format, in the default column family; see object-db/STORE.md. */
    static final byte[] FORMAT_KEY = "thetahost-store-format".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT = 1;

    static {
        RocksDB.loadLibrary();
    }

    private final Path path;
    private final RocksDB db;
    private final RocksSettings settings;
    private final List<ColumnFamilyHandle> allHandles;
    private final Map<Column, ColumnFamilyHandle> handles;
    private final WriteOptions plainWrites = new WriteOptions();
    private final WriteOptions syncedWrites = new WriteOptions().setSync(true);
    private final ReadOptions latest = new ReadOptions();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Set<ReadView> openViews = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private StoreDb(Path path, RocksDB db, RocksSettings settings, List<ColumnFamilyHandle> allHandles) {
        this.path = path;
        this.db = db;
        this.settings = settings;
        this.allHandles = allHandles;
        this.handles = new EnumMap<>(Column.class);
        for (Column c : Column.values()) {
            handles.put(c, allHandles.get(c.ordinal() + 1));
        }
    }

    /** Opens the database in {@code dir}, creating it and its column families if missing. */
    public static StoreDb open(Path dir) throws IOException {
        Files.createDirectories(dir);
        RocksSettings settings = new RocksSettings();
        List<ColumnFamilyHandle> allHandles = new ArrayList<>();
        RocksDB db;
        try {
            db = RocksDB.open(settings.dbOptions(), dir.toString(), settings.families(), allHandles);
        } catch (RocksDBException e) {
            settings.close();
            String hint = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("lock")
                    ? " (is another process using it?)" : "";
            throw new IOException("cannot open the tensor store at " + dir + hint + ": " + e.getMessage(), e);
        }
        StoreDb store = new StoreDb(dir, db, settings, allHandles);
        try {
            store.checkFormat();
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void checkFormat() throws IOException {
        byte[] format = guarded("read the store format", () -> db.get(allHandles.get(0), FORMAT_KEY));
        if (format == null) {
            guarded("write the store format", () -> {
                db.put(allHandles.get(0), syncedWrites, FORMAT_KEY, ByteBuffer.allocate(4).putInt(FORMAT).array());
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
        if (view == null) {
            return guarded("read " + column, () -> db.get(handles.get(column), latest, key));
        }
        return guarded("read " + column, () -> view.read(options -> db.get(handles.get(column), options, key)));
    }

    /** The tensor's meta record, if it is stored. */
    public Optional<MetaRecord> meta(ReadView view, TensorId id) throws IOException {
        byte[] value = get(view, Column.META, Keys.tensor(id));
        return value == null ? Optional.empty() : Optional.of(MetaRecord.decode(id, value));
    }

    public void put(Column column, byte[] key, byte[] value, int valueLength, boolean sync) throws IOException {
        guarded("write " + column, () -> {
            db.put(handles.get(column), sync ? syncedWrites : plainWrites, key, 0, key.length, value, 0, valueLength);
            return null;
        });
    }

    /** Writes a batch atomically; with {@code sync}, the write-ahead log is on disk when this returns. */
    public void write(Batch batch, boolean sync) throws IOException {
        guarded("write a batch", () -> {
            db.write(sync ? syncedWrites : plainWrites, batch.batch);
            return null;
        });
    }

    public Batch batch() {
        return new Batch();
    }

    /** A consistent view of the whole store (a RocksDB snapshot); close it when done. */
    public ReadView view() throws IOException {
        return guarded("take a snapshot", () -> {
            ReadView v = new ReadView(this, db.getSnapshot());
            openViews.add(v);
            return v;
        });
    }

    /** Called by {@link ReadView#close()}. */
    void release(ReadView view) {
        lifecycle.readLock().lock();
        try {
            if (openViews.remove(view) && !closed) {
                view.free(db);
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
        lifecycle.readLock().lock();
        try {
            checkOpen();
            RocksIterator iterator;
            try {
                iterator = view == null ? db.newIterator(handles.get(column), latest)
                        : view.read(options -> db.newIterator(handles.get(column), options));
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
        lifecycle.readLock().lock();
        try {
            checkOpen();
            return call.run();
        } catch (RocksDBException e) {
            throw new IOException("tensor store at " + path + ": could not " + what + ": " + e.getMessage(), e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("the tensor store at " + path + " is closed");
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
            for (ReadView v : openViews) {
                v.free(db);
            }
            openViews.clear();
            allHandles.forEach(ColumnFamilyHandle::close);
            try {
                db.closeE();
            } catch (RocksDBException e) {
                throw new IOException("tensor store at " + path + ": could not close: " + e.getMessage(), e);
            } finally {
                latest.close();
                plainWrites.close();
                syncedWrites.close();
                settings.close();
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
            return apply(() -> batch.put(handles.get(column), key, value));
        }

        public Batch delete(Column column, byte[] key) throws IOException {
            return apply(() -> batch.delete(handles.get(column), key));
        }

        /** Deletes every key from {@code from} (inclusive) to {@code to} (exclusive). */
        public Batch deleteRange(Column column, byte[] from, byte[] to) throws IOException {
            return apply(() -> batch.deleteRange(handles.get(column), from, to));
        }

        public int count() {
            return batch.count();
        }

        private Batch apply(BatchCall call) throws IOException {
            try {
                call.run();
            } catch (RocksDBException e) {
                throw new IOException("tensor store at " + path + ": could not build a write: " + e.getMessage(), e);
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
