package io.thetahost.server.daemon;

import com.sun.management.UnixOperatingSystemMXBean;
import io.thetahost.hooks.connections.ConnectionLimits;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the two listeners' connections within the process's file descriptor limit, so that a flood is refused by the
 * daemon's own limits rather than by "Too many open files" in the accept loop, which would also starve the store.
 */
final class DescriptorBudget {
    private static final Logger LOG = LoggerFactory.getLogger(DescriptorBudget.class);
    /**
     * Descriptors kept for everything but connections: RocksDB's open files (512, RocksSettings), JGit's open packs
     * (128 by default), the JVM's jars, logs, the admin socket, and the repositories' files read per request.
     */
    static final long RESERVED = 1024;
    static final int TRANSPORTS = 2;
    private static final int MIN_CONNECTIONS = 16;

    private DescriptorBudget() {
    }

    /** The limits, lowered if both transports at their maximum would not fit under the descriptor limit. */
    static ConnectionLimits fit(ConnectionLimits limits) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (!(os instanceof UnixOperatingSystemMXBean unix)) {
            return limits;
        }
        long max = unix.getMaxFileDescriptorCount();
        long perTransport = Math.max(MIN_CONNECTIONS, (max - RESERVED) / TRANSPORTS);
        if (limits.maxConnections() <= perTransport) {
            return limits;
        }
        LOG.warn("the process may open {} files: at most {} connections per transport instead of {} "
                + "(raise the limit with ulimit -n)", max, perTransport, limits.maxConnections());
        return limits.withMaxConnections((int) perTransport);
    }
}
