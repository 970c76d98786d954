package io.thetahost.objectdb.put;

import io.thetahost.objectdb.store.BlobKey;
import io.thetahost.objectdb.store.Column;
import io.thetahost.objectdb.store.InFlightBlobs;
import io.thetahost.objectdb.store.Keys;
import io.thetahost.objectdb.store.StoreDb;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Writes an encoding into the store as it arrives, one piece at a time under a fresh {@link BlobKey}, so neither a
 * huge encoding nor a write batch is ever held whole. Nothing written here is visible: the pieces belong to no meta
 * record until the upload commits. Before the first piece, the blob is recorded in {@link Column#PENDING} with a
 * synced write, so that a crash at any later moment leaves pieces that the next open finds and deletes. Pieces go
 * around the write-ahead log, and {@link #finish()} flushes them to disk before any commit can name them.
 *
 * <p>Life: write, {@link #finish()} or {@link #finishInBatch()}, then either {@link #commitInto} and, once that
 * batch is written, {@link #committed()}, or {@link #discard()} (the pieces are dropped); {@link #discard()} after
 * {@link #committed()} does nothing, so callers discard in a finally block.
 */
public final class PieceWriter extends OutputStream {
    private final StoreDb db;
    private final InFlightBlobs inFlight;
    private final BlobKey blob = BlobKey.random();
    private final int pieceBytes;
    private byte[] buffer;
    private int filled;
    private int pieces;
    private long bytes;
    private boolean pending;
    private boolean closed;
    /** The opening of the database the first piece went into; see {@link StoreDb#putPiece}. */
    private long writtenIn;

    public PieceWriter(StoreDb db, InFlightBlobs inFlight, int pieceBytes) {
        this.db = db;
        this.inFlight = inFlight;
        this.pieceBytes = pieceBytes;
        inFlight.add(blob);
    }

    public BlobKey blob() {
        return blob;
    }

    /** Bytes written so far. */
    public long bytes() {
        return bytes;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("pieces of blob " + blob + " were already committed or discarded");
        }
        if (buffer == null && len > 0) {
            buffer = new byte[pieceBytes];
        }
        while (len > 0) {
            int n = Math.min(len, pieceBytes - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
            bytes += n;
            if (filled == pieceBytes) {
                writePiece();
            }
        }
    }

    /** Writes the last, partial piece, and waits until every piece is on disk (they bypass the log). */
    public void finish() throws IOException {
        if (filled > 0) {
            writePiece();
        }
        buffer = null;
        if (pieces > 0) {
            db.persistPieces(writtenIn);
        }
    }

    /**
     * Ends the encoding, leaving a blob of a single piece in memory for {@link #commitInto}: a small tensor then
     * costs one synced write (the commit) instead of two, and never needs a pending record. A longer blob's last
     * piece is written now.
     */
    public void finishInBatch() throws IOException {
        if (pieces > 0) {
            finish();
        }
    }

    /** Adds to the commit batch what it must hold: the piece kept in memory, and the removal of the pending record. */
    public void commitInto(StoreDb.Batch batch) throws IOException {
        if (filled > 0) {
            batch.put(Column.BLOBS, Keys.piece(blob, pieces), Arrays.copyOf(buffer, filled));
        }
        if (pending) {
            batch.delete(Column.PENDING, blob.bytes());
        }
    }

    private void writePiece() throws IOException {
        if (!pending) {
            db.put(Column.PENDING, blob.bytes(), Keys.time(System.currentTimeMillis()), 8, true);
            pending = true;
        }
        long into = db.putPiece(Keys.piece(blob, pieces), buffer, filled);
        if (pieces == 0) {
            writtenIn = into;
        }
        pieces++;
        filled = 0;
    }

    /** The commit batch that adopted the blob was written. */
    public void committed() {
        closed = true;
        buffer = null;
        inFlight.remove(blob);
    }

    /**
     * Drops the pieces and the pending record, unless committed. If that fails the pending record stays, and the
     * next open (or gc) reclaims the pieces.
     */
    public void discard() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        buffer = null;
        try {
            if (pending) {
                try (StoreDb.Batch batch = db.batch()) {
                    batch.deleteRange(Column.BLOBS, Keys.blobStart(blob), Keys.blobEnd(blob));
                    batch.delete(Column.PENDING, blob.bytes());
                    db.write(batch, false);
                }
            }
        } finally {
            inFlight.remove(blob);
        }
    }

    @Override
    public void flush() {
        // Pieces are written whole; a partial one waits for finish().
    }

    @Override
    public void close() throws IOException {
        discard();
    }
}
