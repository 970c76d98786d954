package io.thetahost.hooks.transport;

import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.access.Permission;
import io.thetahost.hooks.naming.RepositoryName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Serves one theta transfer exchange (protocol/PROTOCOL.md) for a caller that may at least read the repository; the
 * same on both transports. Commands that write check {@code held} themselves and answer in the protocol.
 */
public interface TransferHandler {

    void serve(InputStream request, OutputStream response, RepositoryName repository, Caller caller, Permission held)
            throws IOException;
}
