package io.thetahost.objectdb.store;

import java.nio.charset.StandardCharsets;

/** The column families of a store, besides RocksDB's default one (which holds only the format marker). */
public enum Column {
    /** Tensor id (32-byte digest) to {@link MetaRecord}: the record's presence is what makes a tensor visible. */
    META("meta"),
    /** Blob key and piece index to a piece of an encoding's bytes. */
    BLOBS("blobs"),
    /** Repository name, NUL, tensor id to the time of the grant: which repositories may read which tensors. */
    ACCESS("access"),
    /** Blob key to the time an upload started writing it: blobs that no meta record owns yet. */
    PENDING("pending");

    private final String familyName;

    Column(String familyName) {
        this.familyName = familyName;
    }

    public byte[] familyName() {
        return familyName.getBytes(StandardCharsets.US_ASCII);
    }
}
