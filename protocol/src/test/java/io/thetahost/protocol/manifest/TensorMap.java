package io.thetahost.protocol.manifest;

import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.HashMap;
import java.util.Map;

/** A tensor store in a map, for tests: a sink that keeps bytes under their id, and a source that gives them back. */
final class TensorMap {
    final Map<TensorId, byte[]> tensors = new HashMap<>();

    /** Stores like a content-addressed store would: the whole value first, under its id only then. */
    TensorSink sink() {
        return (entry, bytes) -> {
            byte[] value = bytes.readAllBytes();
            tensors.put(bytes.id(), value);
        };
    }

    TensorSource source() {
        return (id, dtype, shape) -> {
            byte[] value = tensors.get(id);
            if (value == null) {
                throw new NoSuchFileException(id.toString());
            }
            return new ByteArrayInputStream(value);
        };
    }
}
