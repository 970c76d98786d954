package io.thetahost.objectdb;

import io.thetahost.objectdb.store.BlobKey;
import io.thetahost.objectdb.store.Column;
import io.thetahost.objectdb.store.Keys;
import io.thetahost.objectdb.store.MetaRecord;
import io.thetahost.objectdb.store.StoreDb;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The store's database opened directly (while no TensorStore has it), to look at and to damage. */
final class RawStore implements AutoCloseable {
    final StoreDb db;

    private RawStore(StoreDb db) {
        this.db = db;
    }

    static RawStore open(Path storeDir) throws IOException {
        return new RawStore(StoreDb.open(storeDir.resolve("rocksdb")));
    }

    MetaRecord meta(TensorId id) throws IOException {
        return db.meta(null, id).orElseThrow();
    }

    /** The distinct blob keys that have pieces. */
    Set<String> blobs() throws IOException {
        Set<String> blobs = new TreeSet<>();
        db.scan(Column.BLOBS, null, c -> {
            for (c.seekToFirst(); c.valid(); c.next()) {
                blobs.add(BlobKey.prefixOf(c.key()).toString());
            }
            return null;
        });
        return blobs;
    }

    List<byte[]> keys(Column column) throws IOException {
        List<byte[]> keys = new ArrayList<>();
        db.scan(column, null, c -> {
            for (c.seekToFirst(); c.valid(); c.next()) {
                keys.add(c.key());
            }
            return null;
        });
        return keys;
    }

    void put(Column column, byte[] key, byte[] value) throws IOException {
        db.put(column, key, value, value.length, true);
    }

    void delete(Column column, byte[] key) throws IOException {
        try (StoreDb.Batch b = db.batch()) {
            db.write(b.delete(column, key), true);
        }
    }

    byte[] piece(BlobKey blob, int index) throws IOException {
        return db.get(null, Column.BLOBS, Keys.piece(blob, index));
    }

    @Override
    public void close() throws IOException {
        db.close();
    }
}
