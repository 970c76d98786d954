package io.thetahost.client.tensors;

import io.thetahost.client.progress.Progress;
import io.thetahost.client.remote.GitEnvironment;
import io.thetahost.client.store.LocalStore;
import io.thetahost.client.transfer.TensorTransfers;
import picocli.CommandLine.Parameters;

/** The remote repository a tensor transfer talks to, as git would name it. */
public final class RemoteOption {
    @Parameters(index = "0", paramLabel = "REMOTE",
            description = "The repository: ssh://user@host:port/OWNER/NAME.git or http://host:port/OWNER/NAME.git")
    String url;

    public TensorTransfers transfers(LocalStore local) {
        return TensorTransfers.to(url, GitEnvironment.current(), local, Progress.on(System.err));
    }
}
