package io.thetahost.protocol.manifest;

import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;

/** A tensor source gave bytes that are not the tensor the manifest names: wrong length or wrong hash. */
public final class TensorMismatchException extends IOException {
    private final String tensorName;
    private final TensorId id;

    public TensorMismatchException(String tensorName, TensorId id, String message) {
        super(message);
        this.tensorName = tensorName;
        this.id = id;
    }

    public String tensorName() {
        return tensorName;
    }

    /** The id the manifest names, which the bytes failed to match. */
    public TensorId id() {
        return id;
    }
}
