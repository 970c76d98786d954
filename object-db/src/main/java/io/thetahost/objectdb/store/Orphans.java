package io.thetahost.objectdb.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Blobs left by uploads that never committed (the process died, or the cleanup of a failed upload did not finish).
 * An upload records its blob in {@link Column#PENDING}, durably, before it writes a piece, and the record goes away
 * in the same batch as the meta record that adopts the blob or the range delete that drops its pieces. So the
 * pending records of blobs not {@linkplain InFlightBlobs in flight} are exactly the orphans, found without reading
 * any piece.
 */
public final class Orphans {
    private Orphans() {
    }

    /** How many orphan blobs, and their bytes. */
    public record Found(List<BlobKey> blobs, long bytes) {
    }

    /** The orphans as of {@code view} (null for the latest state). */
    public static Found find(StoreDb db, ReadView view, InFlightBlobs inFlight) throws IOException {
        List<BlobKey> blobs = new ArrayList<>();
        db.scan(Column.PENDING, view, cursor -> {
            for (cursor.seekToFirst(); cursor.valid(); cursor.next()) {
                byte[] key = cursor.key();
                if (key.length == BlobKey.LENGTH && !inFlight.contains(BlobKey.of(key))) {
                    blobs.add(BlobKey.of(key));
                }
            }
            return null;
        });
        long bytes = 0;
        for (BlobKey blob : blobs) {
            bytes += blobBytes(db, view, blob);
        }
        return new Found(blobs, bytes);
    }

    /** Deletes the orphans' pieces and pending records; returns what was deleted. */
    public static Found reclaim(StoreDb db, InFlightBlobs inFlight) throws IOException {
        Found found = find(db, null, inFlight);
        try (StoreDb.Batch batch = db.batch()) {
            for (BlobKey blob : found.blobs()) {
                batch.deleteRange(Column.BLOBS, Keys.blobStart(blob), Keys.blobEnd(blob));
                batch.delete(Column.PENDING, blob.bytes());
            }
            db.scan(Column.PENDING, null, cursor -> {
                // A pending key of the wrong length names no blob; it can only be dropped.
                for (cursor.seekToFirst(); cursor.valid(); cursor.next()) {
                    if (cursor.key().length != BlobKey.LENGTH) {
                        batch.delete(Column.PENDING, cursor.key());
                    }
                }
                return null;
            });
            if (batch.count() > 0) {
                db.write(batch, true);
            }
        }
        return found;
    }

    /** The total length of a blob's pieces. */
    public static long blobBytes(StoreDb db, ReadView view, BlobKey blob) throws IOException {
        byte[] end = Keys.blobEnd(blob);
        return db.scan(Column.BLOBS, view, cursor -> {
            long total = 0;
            for (cursor.seek(Keys.blobStart(blob)); cursor.valid()
                    && java.util.Arrays.compareUnsigned(cursor.key(), end) < 0; cursor.next()) {
                total += cursor.valueLength();
            }
            return total;
        });
    }
}
