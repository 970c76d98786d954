package io.thetahost.client.tensors;

import io.thetahost.client.remote.GitEnvironment;
import io.thetahost.client.remote.Remote;
import io.thetahost.client.remote.Transport;
import io.thetahost.client.store.LocalStore;
import io.thetahost.client.progress.Progress;
import io.thetahost.client.transfer.TensorTransfers;
import io.thetahost.codec.encode.Encoder;
import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.LowRankDetector;
import picocli.CommandLine.Parameters;

/** The remote repository a tensor transfer talks to, as git would name it. */
public final class RemoteOption {
    @Parameters(index = "0", paramLabel = "REMOTE",
            description = "The repository: ssh://user@host:port/OWNER/NAME.git or http://host:port/OWNER/NAME.git")
    String url;

    public TensorTransfers transfers(LocalStore local) {
        Transport transport = Transport.forRemote(Remote.parse(url), GitEnvironment.current());
        return new TensorTransfers(transport, local,
                new Encoder(EncoderOptions.defaults(), LowRankDetector.available()), Progress.on(System.err));
    }
}
