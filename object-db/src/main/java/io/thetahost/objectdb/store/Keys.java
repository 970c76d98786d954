package io.thetahost.objectdb.store;

import io.thetahost.protocol.tensor.TensorId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary keys of the column families (object-db/STORE.md). Integers are big-endian so that RocksDB's bytewise
 * order is numeric order: a blob's pieces sort by index, and one range covers exactly one blob's pieces.
 */
public final class Keys {
    /** The longest repository name, in UTF-8 bytes; more is surely a mistake, and keys should stay small. */
    public static final int MAX_REPOSITORY_BYTES = 1024;
    public static final int DIGEST_BYTES = 32;
    public static final int PIECE_KEY_BYTES = BlobKey.LENGTH + 4;

    private Keys() {
    }

    /** The {@link Column#META} key: the id's digest. */
    public static byte[] tensor(TensorId id) {
        return id.digest();
    }

    /** The {@link Column#BLOBS} key of a blob's piece. */
    public static byte[] piece(BlobKey blob, int index) {
        return ByteBuffer.allocate(PIECE_KEY_BYTES).put(blob.bytes()).putInt(index).array();
    }

    /** The first key of a blob's pieces (inclusive). */
    public static byte[] blobStart(BlobKey blob) {
        return piece(blob, 0);
    }

    /**
     * A key after every piece of the blob and before any other blob's: the 20-byte key of the largest index, plus a
     * byte, so it sorts after all 20-byte keys with this prefix.
     */
    public static byte[] blobEnd(BlobKey blob) {
        return ByteBuffer.allocate(PIECE_KEY_BYTES + 1).put(blob.bytes()).putInt(-1).put((byte) 0).array();
    }

    /** The piece index of a {@link Column#BLOBS} key. */
    public static int pieceIndex(byte[] pieceKey) {
        return ByteBuffer.wrap(pieceKey, BlobKey.LENGTH, 4).getInt();
    }

    /** The {@link Column#ACCESS} key: the repository's name in UTF-8, a NUL, the tensor id's digest. */
    public static byte[] access(String repository, TensorId id) {
        byte[] name = repositoryBytes(repository);
        return ByteBuffer.allocate(name.length + 1 + DIGEST_BYTES).put(name).put((byte) 0).put(id.digest()).array();
    }

    /** Whether a {@link Column#ACCESS} key has the layout {@link #access} writes. */
    public static boolean isAccessKey(byte[] key) {
        int nul = key.length - DIGEST_BYTES - 1;
        if (nul < 1 || key[nul] != 0) {
            return false;
        }
        for (int i = 0; i < nul; i++) {
            if (key[i] == 0) {
                return false;
            }
        }
        return true;
    }

    /** The tensor an access key names; only for keys {@link #isAccessKey} accepts. */
    public static TensorId accessTensor(byte[] key) {
        return TensorId.ofDigest(Arrays.copyOfRange(key, key.length - DIGEST_BYTES, key.length));
    }

    /** The repository an access key names; only for keys {@link #isAccessKey} accepts. */
    public static String accessRepository(byte[] key) {
        return new String(key, 0, key.length - DIGEST_BYTES - 1, StandardCharsets.UTF_8);
    }

    /**
     * A repository name as a key prefix.
     *
     * @throws IllegalArgumentException for an empty name, one with a NUL (the separator) or one over the limit
     */
    public static byte[] repositoryBytes(String repository) {
        if (repository == null || repository.isEmpty()) {
            throw new IllegalArgumentException("a repository name is needed");
        }
        if (repository.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("repository name contains a NUL character");
        }
        byte[] name = repository.getBytes(StandardCharsets.UTF_8);
        if (name.length > MAX_REPOSITORY_BYTES) {
            throw new IllegalArgumentException("repository name of " + name.length + " bytes (at most "
                    + MAX_REPOSITORY_BYTES + ")");
        }
        return name;
    }

    /** A time as a {@link Column#ACCESS} or {@link Column#PENDING} value: epoch milliseconds, 8 bytes. */
    public static byte[] time(long epochMillis) {
        return ByteBuffer.allocate(8).putLong(epochMillis).array();
    }
}
