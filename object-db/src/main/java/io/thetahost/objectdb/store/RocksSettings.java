package io.thetahost.objectdb.store;

import java.util.ArrayList;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.MutableColumnFamilyOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksObject;

/**
 * How the store tunes RocksDB, and the native option objects that must outlive the database and be freed after it.
 * Column families come in the order of {@link Column}, after the default one.
 */
final class RocksSettings implements AutoCloseable {
    /** Files RocksDB keeps open at most; the daemon reserves descriptors for them beside its connections. */
    static final int MAX_OPEN_FILES = 512;

    /**
     * Memtable memory of all families together (RocksDB's default is 64 MiB per family and two per family, and the
     * blob family's memtable holds whole pieces until they are flushed to blob files): what a store adds to its
     * process's resident set for writes stays at this, whatever the size of what is written. 32 MiB, not 64: a clone
     * of 128 MiB tensors, downloading while it writes, peaked at 510-535 MiB resident with 64 and at 479-485 with 32
     * (bench/clone-memory.sh), in the same time. It costs a git add of 1 GiB about 7% (10.2-10.8 s against 9.5-9.9 s,
     * 0.5 s more system time): each flush writes its own blob file. Halving only the blob family's memtable during
     * the clone (a mutable option) did not bring the clone under the bound (510-542 MiB).
     */
    static final long WRITE_BUFFER_BYTES = 32L << 20;

    private final List<RocksObject> natives = new ArrayList<>();
    private final DBOptions dbOptions;
    private final List<ColumnFamilyDescriptor> families = new ArrayList<>();

    RocksSettings() {
        dbOptions = own(new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2)
                .setKeepLogFileNum(4)
                // Table and blob files kept open at once (RocksDB's default keeps every file open: a large store
                // would take descriptors the daemon needs for connections).
                .setMaxOpenFiles(MAX_OPEN_FILES)
                // The small families rarely fill a memtable; without a cap they would pin old WAL files until they
                // did (pieces bypass the log: StoreDb.putPiece).
                .setMaxTotalWalSize(256L << 20)
                .setDbWriteBufferSize(WRITE_BUFFER_BYTES));
        families.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, own(new ColumnFamilyOptions())));
        for (Column c : Column.values()) {
            families.add(new ColumnFamilyDescriptor(c.familyName(), c == Column.BLOBS ? blobs() : records()));
        }
    }

    DBOptions dbOptions() {
        return dbOptions;
    }

    List<ColumnFamilyDescriptor> families() {
        return families;
    }

    /** Encodings are compressed already, and 4 MiB pieces belong in blob files, not rewritten by every compaction. */
    private ColumnFamilyOptions blobs() {
        return own(new ColumnFamilyOptions()
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setWriteBufferSize(WRITE_BUFFER_BYTES / 2)
                .setEnableBlobFiles(true)
                .setMinBlobSize(16 << 10)
                .setBlobFileSize(256L << 20)
                .setBlobCompressionType(CompressionType.NO_COMPRESSION)
                // On, it moves the live pieces of the oldest quarter of blob files at every compaction, also while
                // nothing was ever deleted: profiles of git add found a compaction thread rewriting pieces for 14% of
                // the CPU. The space of deleted pieces is given back after gc or repack has deleted some
                // (StoreDb.reclaimDeletedSpace), as git gives space back at git gc.
                .setEnableBlobGarbageCollection(false));
    }

    /**
     * The blob family's garbage collection, on or off: on, a compaction moves every live piece out of the blob files
     * it reads (age cutoff 1), and a blob file then holding only deleted pieces is removed.
     */
    static MutableColumnFamilyOptions blobGarbageCollection(boolean on) {
        return MutableColumnFamilyOptions.builder()
                .setEnableBlobGarbageCollection(on)
                .setBlobGarbageCollectionAgeCutoff(on ? 1.0 : 0.25)
                .build();
    }

    /** Small records looked up by key, often for ids that are absent: a Bloom filter answers those. */
    private ColumnFamilyOptions records() {
        BloomFilter filter = own(new BloomFilter(10));
        return own(new ColumnFamilyOptions()
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(filter)));
    }

    private <T extends RocksObject> T own(T object) {
        natives.add(object);
        return object;
    }

    @Override
    public void close() {
        for (int i = natives.size() - 1; i >= 0; i--) {
            natives.get(i).close();
        }
    }
}
