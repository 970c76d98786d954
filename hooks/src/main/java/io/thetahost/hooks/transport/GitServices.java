package io.thetahost.hooks.transport;

import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.hooks.receive.PushChecks;
import io.thetahost.hooks.upload.ShallowCapabilities;
import io.thetahost.objectdb.DiskFullException;
import io.thetahost.hooks.upload.FetchRequestStream;
import io.thetahost.hooks.upload.ShallowProbeResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.UnpackErrorHandler;
import org.eclipse.jgit.transport.RefAdvertiser.PacketLineOutRefAdvertiser;
import org.eclipse.jgit.transport.TransferConfig;
import org.eclipse.jgit.transport.UploadPack;

/**
 * Runs JGit's upload-pack and receive-pack the same way for every transport, so SSH and HTTP serve identical git.
 * Upload-pack serves protocol v0 and v2, shallow fetches (including {@code deepen-relative}, see
 * {@link FetchRequestStream}), and partial clone: filters, and later wants of single blobs, which JGit checks for
 * reachability from the advertised refs.
 */
public final class GitServices {
    private final PushChecks pushChecks;
    private final long maxFetchSectionBytes;

    /**
     * @param pushChecks what every push is checked against before a ref moves
     * @param maxFetchSectionBytes the most bytes of wants or haves a fetch request may send without a flush (JGit
     *     holds them all in memory until then); the bound on negotiation memory
     */
    public GitServices(PushChecks pushChecks, long maxFetchSectionBytes) {
        this.pushChecks = pushChecks;
        this.maxFetchSectionBytes = maxFetchSectionBytes;
    }

    /**
     * Serves one upload-pack exchange: a whole SSH session ({@code biDirectional}), or one stateless HTTP request.
     */
    public void upload(Repository repository, ProtocolParameters parameters, boolean biDirectional, InputStream in,
            OutputStream out, OutputStream messages) throws IOException {
        int version = parameters.effectiveVersion(GitService.UPLOAD_PACK);
        FetchRequestStream request =
                new FetchRequestStream(in, repository, version, !biDirectional, maxFetchSectionBytes);
        // A bidirectional v0 session starts with the ref advertisement whose capabilities need adding; a stateless
        // request may be a shallow probe whose answer ends early.
        OutputStream response = biDirectional
                ? version == 0 ? new ShallowCapabilities(out) : out
                : new ShallowProbeResponse(out, request);
        uploadPack(repository, parameters, biDirectional).upload(request, response, messages);
        response.flush();
    }

    /** The advertisement a stateless HTTP client fetches first ({@code info/refs?service=git-upload-pack}). */
    public void advertiseUpload(Repository repository, ProtocolParameters parameters, OutputStream out)
            throws IOException {
        boolean v0 = parameters.effectiveVersion(GitService.UPLOAD_PACK) == 0;
        OutputStream response = v0 ? new ShallowCapabilities(out) : out;
        UploadPack up = uploadPack(repository, parameters, false);
        try {
            up.sendAdvertisedRefs(new PacketLineOutRefAdvertiser(new PacketLineOut(response)),
                    GitService.UPLOAD_PACK.serviceName());
        } finally {
            up.getRevWalk().close();
        }
        response.flush();
    }

    /** Serves one receive-pack exchange: a whole SSH session, or one stateless HTTP request. */
    public void receive(Repository repository, RepositoryName name, Caller caller, boolean biDirectional,
            InputStream in, OutputStream out, OutputStream messages) throws IOException {
        ReceivePack rp = receivePack(repository, caller, biDirectional);
        rp.setPreReceiveHook(pushChecks.forPush(name.toString()));
        UnpackErrorHandler report = rp.getUnpackErrorHandler();
        rp.setUnpackErrorHandler(error -> {
            // JGit has deleted the pack it was writing; no ref moved. The client gets the reason as a remote: line
            // and in git's own "remote unpack failed" line.
            if (DiskFullException.causes(error)) {
                rp.sendError(Failures.DISK_FULL);
                report.handleUnpackException(new DiskFullException(Failures.DISK_FULL, error));
            } else {
                report.handleUnpackException(error);
            }
        });
        rp.receive(in, out, messages);
        out.flush();
    }

    /** The advertisement a stateless HTTP client fetches first ({@code info/refs?service=git-receive-pack}). */
    public void advertiseReceive(Repository repository, Caller caller, OutputStream out) throws IOException {
        PacketLineOut packets = new PacketLineOut(out);
        packets.writeString("# service=" + GitService.RECEIVE_PACK.serviceName() + "\n");
        packets.end();
        ReceivePack rp = receivePack(repository, caller, false);
        try {
            rp.sendAdvertisedRefs(new PacketLineOutRefAdvertiser(packets));
        } finally {
            rp.getRevWalk().close();
        }
        out.flush();
    }

    private static UploadPack uploadPack(Repository repository, ProtocolParameters parameters,
            boolean biDirectional) {
        UploadPack up = new UploadPack(repository);
        up.setTransferConfig(new TransferConfig(transferSettings(repository)));
        up.setExtraParameters(parameters.asList());
        up.setBiDirectionalPipe(biDirectional);
        return up;
    }

    /** A receive-pack that checks received objects and takes push options; {@link #receive} adds the push checks. */
    private ReceivePack receivePack(Repository repository, Caller caller, boolean biDirectional) {
        ReceivePack rp = new ReceivePack(repository);
        rp.setBiDirectionalPipe(biDirectional);
        rp.setCheckReceivedObjects(true);
        rp.setAllowPushOptions(true);
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
