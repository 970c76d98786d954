package io.thetahost.server.daemon;

import java.time.Duration;

/**
 * How the daemon listens and how far it lets work grow.
 *
 * @param gitThreads git requests served at once per transport; more wait for a thread
 * @param maxNegotiationBytes the most bytes an upload-pack request body (wants and haves) may hold once decompressed
 */
public record DaemonSettings(
        String listenAddress,
        int sshPort,
        int httpPort,
        Duration gracePeriod,
        int gitThreads,
        long maxNegotiationBytes) {
}
