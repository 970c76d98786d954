package io.thetahost.protocol.safetensors;

import java.io.IOException;

/** A checkpoint file refused: the message names the tensor, where there is one, and the rule it breaks. */
public final class InvalidCheckpointException extends IOException {
    public InvalidCheckpointException(String message) {
        super(message);
    }

    public InvalidCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
