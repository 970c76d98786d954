package io.thetahost.hooks.transport;

import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.access.Permission;
import io.thetahost.hooks.naming.RepositoryName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Serves one theta transfer exchange (protocol/PROTOCOL.md) for a caller that may at least read the repository; the
 * same on both transports. Commands that write check {@code held} themselves, after reading the request's arguments
 * and before writing anything, and refuse with {@link RequestRefusedException}.
 */
public interface TransferHandler {

    /** @throws RequestRefusedException when {@code held} does not allow the command; nothing was written */
    void serve(InputStream request, OutputStream response, RepositoryName repository, Caller caller, Permission held)
            throws IOException;
}
