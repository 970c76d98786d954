package io.thetahost.hooks.transport;

import java.io.IOException;

/** The client closed its connection before the request was over. */
public final class ClientGoneException extends IOException {
    public ClientGoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
