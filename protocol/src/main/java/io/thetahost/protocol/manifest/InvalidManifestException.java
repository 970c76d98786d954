package io.thetahost.protocol.manifest;

import java.io.IOException;

/** A manifest refused: not canonical JSON, an unknown version, or tensors that disagree with its header. */
public final class InvalidManifestException extends IOException {
    public InvalidManifestException(String message) {
        super(message);
    }

    public InvalidManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
