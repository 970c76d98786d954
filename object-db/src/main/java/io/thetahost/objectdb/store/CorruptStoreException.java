package io.thetahost.objectdb.store;

import java.io.IOException;

/** Stored data that contradicts itself: an unreadable record, a blob of the wrong length, a chain that loops. */
public class CorruptStoreException extends IOException {
    public CorruptStoreException(String message) {
        super(message);
    }
}
