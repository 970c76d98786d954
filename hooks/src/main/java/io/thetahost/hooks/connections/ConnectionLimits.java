package io.thetahost.hooks.connections;

import java.time.Duration;

/**
 * How many connections one transport keeps open, and for how long it waits on them. A connection is "unproven" until
 * it has shown it is a real client: logged in (SSH) or sent a complete request head (HTTP); an HTTP connection idle
 * between requests is unproven again, since it carries no transfer.
 *
 * @param maxConnections connections open at once on the transport, proven or not
 * @param maxPerAddress connections open at once from one source address
 * @param maxUnproven connections open at once that have not yet proven themselves
 * @param loginTimeout how long a connection may stay unproven before it is closed (SSH: to log in; HTTP: to send its
 *     first request head)
 * @param idleTimeout how long a connection may send and receive nothing before it is closed
 */
public record ConnectionLimits(int maxConnections, int maxPerAddress, int maxUnproven, Duration loginTimeout,
        Duration idleTimeout) {
    public ConnectionLimits {
        if (maxConnections < 1 || maxPerAddress < 1 || maxUnproven < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1");
        }
        if (loginTimeout.isNegative() || loginTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** The same limits with the total lowered to {@code max} (to stay within the process's file descriptors). */
    public ConnectionLimits withMaxConnections(int max) {
        return new ConnectionLimits(max, Math.min(maxPerAddress, max), Math.min(maxUnproven, max), loginTimeout,
                idleTimeout);
    }
}
