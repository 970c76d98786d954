package io.thetahost.cluster.objects;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where several fronts keep bytes: git pack files and tensor encodings (docs/CLUSTER.md). Each object is written once
 * under a key its writer chose fresh and is never changed; it becomes visible to readers when a database row names
 * it, so an object here without a row is garbage that gc removes.
 */
public interface ObjectStore extends AutoCloseable {
    /**
     * Writes the object: whole, or (on any failure) not at all. Memory: one part of {@link S3ObjectStore#PART_BYTES}.
     *
     * @param length the number of bytes {@code bytes} holds
     */
    void put(String key, InputStream bytes, long length) throws IOException;

    /**
     * Bytes {@code from} (inclusive) to {@code to} (exclusive) of the object, streamed.
     *
     * @throws java.io.FileNotFoundException when there is no such object
     */
    InputStream get(String key, long from, long to) throws IOException;

    /** The object's size, or empty when there is none. */
    Optional<Long> size(String key) throws IOException;

    /** The keys that start with {@code prefix}, in order, at most {@code limit} after {@code after} (exclusive). */
    List<String> list(String prefix, String after, int limit) throws IOException;

    /** Removes the object; removing one that is not there is not an error. */
    void delete(String key) throws IOException;

    @Override
    void close();
}
