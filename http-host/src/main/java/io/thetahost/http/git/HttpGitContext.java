package io.thetahost.http.git;

import io.thetahost.hooks.access.UserDirectory;
import io.thetahost.hooks.transport.ActiveRequests;
import io.thetahost.hooks.transport.GitServices;
import io.thetahost.hooks.transport.RepositoryRegistry;
import io.thetahost.hooks.transport.RequestLog;
import io.thetahost.hooks.transport.TransferHandler;

/** What the smart HTTP handler needs from the daemon. */
public record HttpGitContext(
        UserDirectory users,
        RepositoryRegistry registry,
        GitServices services,
        RequestLog log,
        ActiveRequests active,
        TransferHandler transfers) {
}
