package io.thetahost.client.transfer;

import java.io.IOException;

/** The server answered a transfer with an error, or refused objects; the message says which and why. */
public final class TransferFailedException extends IOException {
    public TransferFailedException(String message) {
        super(message);
    }
}
