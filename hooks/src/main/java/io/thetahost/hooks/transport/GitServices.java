package io.thetahost.hooks.transport;

import io.thetahost.hooks.access.Caller;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PreReceiveHook;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.TransferConfig;
import org.eclipse.jgit.transport.UploadPack;

/**
 * Builds JGit's upload-pack and receive-pack the same way for every transport, so SSH and HTTP serve identical git.
 */
public final class GitServices {
    private final PreReceiveHook preReceive;

    public GitServices(PreReceiveHook preReceive) {
        this.preReceive = preReceive;
    }

    /**
     * An upload-pack that serves protocol v0 and v2, shallow fetches, and partial clone (filters, and later wants of
     * single blobs, which JGit checks for reachability from the advertised refs).
     *
     * @param biDirectional false for stateless HTTP requests
     */
    public UploadPack uploadPack(Repository repository, ProtocolParameters parameters, boolean biDirectional) {
        UploadPack up = new UploadPack(repository);
        up.setTransferConfig(new TransferConfig(transferSettings(repository)));
        up.setExtraParameters(parameters.asList());
        up.setBiDirectionalPipe(biDirectional);
        return up;
    }

    /** A receive-pack that checks received objects, takes push options and runs the pre-receive checks. */
    public ReceivePack receivePack(Repository repository, Caller caller, boolean biDirectional) {
        ReceivePack rp = new ReceivePack(repository);
        rp.setBiDirectionalPipe(biDirectional);
        rp.setCheckReceivedObjects(true);
        rp.setAllowPushOptions(true);
        rp.setPreReceiveHook(preReceive);
        String user = caller.userName().orElse("anonymous");
        rp.setRefLogIdent(new PersonIdent(user, user + "@thetahost"));
        return rp;
    }

    private static Config transferSettings(Repository repository) {
        Config c = new Config(repository.getConfig());
        c.setBoolean("uploadpack", null, "allowfilter", true);
        c.setBoolean("uploadpack", null, "allowreachablesha1inwant", true);
        return c;
    }
}
