package io.thetahost.codec.format;

import java.io.IOException;

/** An encoding that does not decode: malformed, over a limit, inconsistent with its base, or not the tensor its id names. */
public class InvalidEncodingException extends IOException {
    public InvalidEncodingException(String message) {
        super(message);
    }

    public InvalidEncodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
