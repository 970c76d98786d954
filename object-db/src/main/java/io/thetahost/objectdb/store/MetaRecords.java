package io.thetahost.objectdb.store;

import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;

/** Every meta record of the store, read in one scan (no piece is read). */
public final class MetaRecords {
    private MetaRecords() {
    }

    /** What a scan hands each record to. */
    public interface Visitor {
        void record(TensorId id, MetaRecord record);

        /** A record that does not decode: never delete or rewrite what cannot be read; fsck reports it. */
        void unreadable(TensorId id);
    }

    /** Visits every tensor's record as of {@code view} (null: the latest state). */
    public static void scan(StoreDb db, ReadView view, Visitor visitor) throws IOException {
        db.scan(Column.META, view, cursor -> {
            for (cursor.seekToFirst(); cursor.valid(); cursor.next()) {
                byte[] key = cursor.key();
                if (key.length != Keys.DIGEST_BYTES) {
                    continue;
                }
                TensorId id = TensorId.ofDigest(key);
                try {
                    visitor.record(id, MetaRecord.decode(id, cursor.value()));
                } catch (CorruptStoreException e) {
                    visitor.unreadable(id);
                }
            }
            return null;
        });
    }
}
