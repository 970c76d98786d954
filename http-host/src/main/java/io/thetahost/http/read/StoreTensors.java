package io.thetahost.http.read;

import io.thetahost.objectdb.TensorStore;
import io.thetahost.protocol.manifest.TensorSource;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;

/**
 * The tensors one repository may read, from the server's store. A manifest names tensors by id; only those granted to
 * the repository are served, so a manifest cannot reach another repository's tensors by naming their ids.
 */
final class StoreTensors implements TensorSource {
    private final TensorStore store;
    private final String repository;

    StoreTensors(TensorStore store, String repository) {
        this.store = store;
        this.repository = repository;
    }

    @Override
    public InputStream open(TensorId id, DType dtype, Shape shape) throws IOException {
        if (!store.readable(repository, id)) {
            throw new IOException("tensor " + id + " is not stored for " + repository);
        }
        return store.open(id).orElseThrow(() -> new IOException("tensor " + id + " is not stored"));
    }

    /** The store's decoding streams check each tensor against its id at their end. */
    @Override
    public boolean verifiesIds() {
        return true;
    }
}
