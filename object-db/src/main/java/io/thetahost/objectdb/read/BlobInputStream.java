package io.thetahost.objectdb.read;

import io.thetahost.codec.format.ScratchArrays;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.store.BlobKey;
import io.thetahost.objectdb.store.Column;
import io.thetahost.objectdb.store.CorruptStoreException;
import io.thetahost.objectdb.store.Keys;
import io.thetahost.objectdb.store.ReadView;
import io.thetahost.objectdb.store.StoreDb;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A stored encoding's bytes, read one piece at a time into one array ({@link ScratchArrays}, given back on close). It
 * ends only when the pieces have added up to exactly the recorded length and no piece follows; a missing piece, or
 * one too many, is a {@link CorruptStoreException}.
 */
public final class BlobInputStream extends InputStream {
    private static final byte[] NONE = new byte[0];
    /** The array a first piece is read into holds this much, or the whole encoding if smaller; a longer piece grows it. */
    private static final int FIRST_PIECE_GUESS = StoreOptions.defaults().pieceBytes();

    private final StoreDb db;
    private final ReadView view;
    private final BlobKey blob;
    private final long length;
    private final String owner;
    private byte[] piece = NONE;
    /** The current piece's bytes in {@link #piece}. */
    private int pieceLength;
    private int position;
    private int nextPiece;
    private long fetched;
    private boolean ended;

    /**
     * @param view the view to read from; null for the latest state
     * @param owner what the blob holds, for messages
     */
    public BlobInputStream(StoreDb db, ReadView view, BlobKey blob, long length, String owner) {
        this.db = db;
        this.view = view;
        this.blob = blob;
        this.length = length;
        this.owner = owner;
    }

    @Override
    public int read() throws IOException {
        while (position == pieceLength) {
            if (!advance()) {
                return -1;
            }
        }
        return piece[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (position == pieceLength) {
            if (!advance()) {
                return -1;
            }
        }
        int n = Math.min(len, pieceLength - position);
        System.arraycopy(piece, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public int available() {
        return pieceLength - position;
    }

    @Override
    public void close() {
        ScratchArrays.giveBack(piece);
        piece = NONE;
        pieceLength = 0;
        position = 0;
        ended = true;
    }

    private boolean advance() throws IOException {
        if (ended) {
            return false;
        }
        byte[] key = Keys.piece(blob, nextPiece);
        if (fetched == length) {
            if (db.get(view, Column.BLOBS, key) != null) {
                throw new CorruptStoreException("the encoding of " + owner + " (blob " + blob + ") has more than its "
                        + length + " bytes");
            }
            ended = true;
            pieceLength = 0;
            position = 0;
            return false;
        }
        if (piece.length == 0) {
            piece = ScratchArrays.takeAtLeast((int) Math.min(length - fetched, FIRST_PIECE_GUESS));
        }
        int next = db.getPiece(view, key, piece);
        if (next > piece.length && next <= length - fetched) {
            ScratchArrays.giveBack(piece);
            piece = ScratchArrays.takeAtLeast(next);
            next = db.getPiece(view, key, piece);
        }
        if (next < 0) {
            throw new CorruptStoreException("the encoding of " + owner + " (blob " + blob + ") ends after " + fetched
                    + " of its " + length + " bytes: piece " + nextPiece + " is missing");
        }
        if (next == 0 || next > length - fetched || next > piece.length) {
            throw new CorruptStoreException("the encoding of " + owner + " (blob " + blob + ") has a piece " + nextPiece
                    + " of " + next + " bytes where " + (length - fetched) + " remain");
        }
        nextPiece++;
        fetched += next;
        pieceLength = next;
        position = 0;
        return true;
    }
}
