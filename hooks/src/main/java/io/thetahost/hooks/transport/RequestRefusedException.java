package io.thetahost.hooks.transport;

import java.io.IOException;

/**
 * A service refused a request for access before writing any response (protocol/PROTOCOL.md §9): the transport tells
 * the client the way it tells it of any other refusal, {@code ERROR:} on SSH's stderr, {@code 403} on HTTP.
 */
public final class RequestRefusedException extends IOException {
    public RequestRefusedException(String message) {
        super(message);
    }
}
