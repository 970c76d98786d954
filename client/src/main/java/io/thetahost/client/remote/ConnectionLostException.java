package io.thetahost.client.remote;

import java.io.IOException;

/**
 * The connection to the server broke during an exchange: the server went away, or the network between. Nothing the
 * exchange sent counts as acknowledged; running the command again starts over.
 */
public final class ConnectionLostException extends IOException {
    ConnectionLostException(Remote remote, String detail, Throwable cause) {
        super(remote + ": the connection to the server was lost" + (detail == null || detail.isBlank() ? ""
                : " (" + detail.strip() + ")"), cause);
    }

    ConnectionLostException(Remote remote, Throwable cause) {
        this(remote, describe(cause), cause);
    }

    /** An exception's message, or its kind when it has none (the JDK's HTTP client throws some without one). */
    static String describe(Throwable t) {
        return t.getMessage() != null && !t.getMessage().isBlank() ? t.getMessage() : t.getClass().getSimpleName();
    }
}
