package io.thetahost.objectdb.store;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The blobs that uploads in this process are writing. Their pieces have no meta record yet, like a crashed upload's,
 * but must not be reclaimed: gc and fsck skip them. An upload registers its blob before it writes anything.
 */
public final class InFlightBlobs {
    private final Set<BlobKey> blobs = ConcurrentHashMap.newKeySet();

    public void add(BlobKey blob) {
        blobs.add(blob);
    }

    public void remove(BlobKey blob) {
        blobs.remove(blob);
    }

    public boolean contains(BlobKey blob) {
        return blobs.contains(blob);
    }
}
