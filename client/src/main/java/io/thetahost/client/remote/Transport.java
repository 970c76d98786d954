package io.thetahost.client.remote;

import java.io.IOException;

/** Opens theta transfer exchanges with one remote repository. */
public interface Transport {

    Exchange open() throws IOException;

    /** The transport for a remote: the system's ssh for SSH URLs, HTTP with git's credential helpers otherwise. */
    static Transport forRemote(Remote remote, GitEnvironment git) {
        return remote.scheme() == Remote.Scheme.SSH ? new SshTransport(remote, git) : new HttpTransport(remote, git);
    }
}
