package io.thetahost.cluster.tensors;

import io.thetahost.cluster.objects.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An object store that passes every call to another, and lets a test step in: before a put (to hold two uploads at
 * one point), after it (a put whose answer is lost), at a delete, and count ranged reads.
 */
class FaultyObjectStore implements ObjectStore {
    final ObjectStore delegate;
    final AtomicInteger gets = new AtomicInteger();

    FaultyObjectStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    /** Runs before each put reaches the store. */
    void beforePut(String key, long length) throws IOException {
    }

    /** Runs after a put reached the store. */
    void afterPut(String key) throws IOException {
    }

    /** Runs before each delete reaches the store. */
    void beforeDelete(String key) throws IOException {
    }

    @Override
    public void put(String key, InputStream bytes, long length) throws IOException {
        beforePut(key, length);
        delegate.put(key, bytes, length);
        afterPut(key);
    }

    @Override
    public InputStream get(String key, long from, long to) throws IOException {
        gets.incrementAndGet();
        return delegate.get(key, from, to);
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        return delegate.size(key);
    }

    @Override
    public List<String> list(String prefix, String after, int limit) throws IOException {
        return delegate.list(prefix, after, limit);
    }

    @Override
    public void delete(String key) throws IOException {
        beforeDelete(key);
        delegate.delete(key);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
