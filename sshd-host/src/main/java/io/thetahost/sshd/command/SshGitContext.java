package io.thetahost.sshd.command;

import io.thetahost.hooks.transport.ActiveRequests;
import io.thetahost.hooks.transport.GitServices;
import io.thetahost.hooks.transport.RepositoryRegistry;
import io.thetahost.hooks.transport.RequestLog;
import io.thetahost.hooks.transport.TransferHandler;
import java.util.concurrent.ExecutorService;

/** What every SSH git command needs from the daemon. */
public record SshGitContext(
        RepositoryRegistry registry,
        GitServices services,
        RequestLog log,
        ActiveRequests active,
        ExecutorService executor,
        TransferHandler transfers) {
}
