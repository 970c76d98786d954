package io.thetahost.objectdb.store;

import java.io.IOException;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;

/**
 * A consistent view of the store: a RocksDB snapshot. A tensor read through one view decodes from one state of the
 * store even while gc deletes around it. Closing releases the snapshot (so compaction may drop what it pins); the
 * store releases views still open when it closes. Reads through a view and its release exclude each other, so a
 * stream read after it was closed fails instead of using a released snapshot.
 */
public final class ReadView implements AutoCloseable {
    private final StoreDb owner;
    private final Snapshot snapshot;
    private final ReadOptions readOptions;
    private final ReadOptions pieceOptions;
    private boolean freed;

    ReadView(StoreDb owner, Snapshot snapshot) {
        this.owner = owner;
        this.snapshot = snapshot;
        this.readOptions = new ReadOptions().setSnapshot(snapshot);
        this.pieceOptions = StoreDb.piecesOnly(new ReadOptions().setSnapshot(snapshot));
    }

    interface Read<T> {
        T run(ReadOptions options) throws RocksDBException;
    }

    /** Runs a read with this view's options, for pieces or records; the caller holds the store open. */
    synchronized <T> T read(boolean pieces, Read<T> read) throws RocksDBException, IOException {
        if (freed) {
            throw new IOException("read from a closed view of the tensor store (a stream read after close?)");
        }
        return read.run(pieces ? pieceOptions : readOptions);
    }

    /** Releases the snapshot once; the caller holds the store open. */
    synchronized void free(RocksDB db) {
        if (!freed) {
            freed = true;
            db.releaseSnapshot(snapshot);
            readOptions.close();
            pieceOptions.close();
        }
    }

    @Override
    public void close() {
        owner.release(this);
    }
}
