package io.thetahost.server.registry;

/** An admin request that cannot be done as asked; the message tells the administrator why. Nothing was changed. */
public final class AdminException extends Exception {
    public AdminException(String message) {
        super(message);
    }
}
