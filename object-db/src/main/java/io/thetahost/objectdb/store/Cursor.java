package io.thetahost.objectdb.store;

import java.io.IOException;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/** A position in a column family, valid only inside {@link StoreDb#scan}. */
public final class Cursor {
    private static final byte[] NO_BYTES = new byte[0];

    private final RocksIterator it;
    private final Column column;

    Cursor(RocksIterator it, Column column) {
        this.it = it;
        this.column = column;
    }

    public void seekToFirst() throws IOException {
        it.seekToFirst();
        check();
    }

    public void seek(byte[] key) throws IOException {
        it.seek(key);
        check();
    }

    public void next() throws IOException {
        it.next();
        check();
    }

    public boolean valid() {
        return it.isValid();
    }

    public byte[] key() {
        return it.key();
    }

    public byte[] value() {
        return it.value();
    }

    /** The value's length, without copying it into Java. */
    public int valueLength() {
        return it.value(NO_BYTES);
    }

    /** An iterator that stops early says why only through its status. */
    private void check() throws IOException {
        if (!it.isValid()) {
            try {
                it.status();
            } catch (RocksDBException e) {
                throw new IOException("could not read " + column + ": " + e.getMessage(), e);
            }
        }
    }
}
