package io.thetahost.protocol.safetensors;

import java.io.InputStream;

/**
 * A tensor met while reading a checkpoint. {@code bytes} yields exactly {@code entry.size()} bytes and then ends; it
 * fails with {@link InvalidCheckpointException} if the file ends first. Closing it does not close the checkpoint.
 */
public record TensorData(TensorEntry entry, InputStream bytes) implements DataItem {
    @Override
    public long offset() {
        return entry.begin();
    }
}
