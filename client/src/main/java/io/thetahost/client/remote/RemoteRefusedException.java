package io.thetahost.client.remote;

import java.io.IOException;

/** The remote refused the request before answering it: not found, not allowed, not authenticated. */
public final class RemoteRefusedException extends IOException {
    public RemoteRefusedException(String message) {
        super(message);
    }
}
