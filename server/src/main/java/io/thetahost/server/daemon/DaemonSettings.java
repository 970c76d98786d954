package io.thetahost.server.daemon;

import io.thetahost.hooks.connections.ConnectionLimits;
import java.time.Duration;

/**
 * How the daemon listens and how far it lets work grow.
 *
 * @param gitThreads git requests served at once per transport; more wait for a thread
 * @param maxFetchSectionBytes the most bytes of wants or haves a fetch may send without a flush, decompressed
 * @param connections the limits each transport keeps its connections within
 */
public record DaemonSettings(
        String listenAddress,
        int sshPort,
        int httpPort,
        Duration gracePeriod,
        int gitThreads,
        long maxFetchSectionBytes,
        ConnectionLimits connections) {
}
