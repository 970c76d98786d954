package io.thetahost.objectdb;

import java.io.IOException;
import java.io.InputStream;

/**
 * A stored encoding as it is, to send to a client that holds its base ({@code meta.base()}). The stream fails with
 * an {@link IOException} rather than end early if the stored pieces do not add up to {@code meta.encodedBytes()}.
 * Close it: it holds a consistent view of the store.
 */
public record StoredEncoding(TensorMeta meta, InputStream bytes) implements AutoCloseable {
    @Override
    public void close() throws IOException {
        bytes.close();
    }
}
