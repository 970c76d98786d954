package io.thetahost.hooks.connections;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Keeps one transport's connections within its {@link ConnectionLimits}. A connection from an address already at its
 * limit is refused. When the transport is full, or too many connections are unproven, an unproven connection is
 * closed to make room: the oldest of the address holding the most unproven connections, so that a flood spread over
 * many addresses sheds its own connections rather than a lone client in the middle of logging in (a client that holds
 * sockets open without logging in gains nothing by it). A proven connection, one carrying a transfer, is never closed
 * to make room, so when all are proven the newcomer is refused.
 *
 * @param <C> the transport's connection (an SSH session, an HTTP connection), compared by identity
 */
public final class ConnectionGate<C> {
    private final ConnectionLimits limits;
    private final Consumer<C> closer;
    private final RefusalLog log;

    private final Map<C, InetAddress> open = new IdentityHashMap<>();
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    /** Unproven connections, oldest first. */
    private final LinkedHashMap<C, Boolean> unproven = new LinkedHashMap<>();

    /** @param closer closes a connection shed to make room; the transport then reports it {@link #closed} */
    public ConnectionGate(String transport, ConnectionLimits limits, Consumer<C> closer) {
        this.limits = limits;
        this.closer = closer;
        this.log = new RefusalLog(transport);
    }

    public ConnectionLimits limits() {
        return limits;
    }

    /**
     * Decides on a connection just opened from {@code address}, before anything is done with it, closing an unproven
     * one (see the class comment) if that makes room, and tracks it as unproven until {@link #proven}.
     *
     * @return false if it must be refused (and closed by the caller)
     */
    public boolean tryOpen(InetAddress address, C connection) {
        C victim;
        InetAddress victimAddress;
        synchronized (this) {
            String refusal = null;
            if (perAddress.getOrDefault(address, 0) >= limits.maxPerAddress()) {
                refusal = "refused a connection: " + limits.maxPerAddress() + " already open from this address";
            } else if (open.size() < limits.maxConnections() && unproven.size() < limits.maxUnproven()) {
                track(address, connection);
                return true;
            } else if (unproven.isEmpty()) {
                refusal = "refused a connection: all " + limits.maxConnections() + " connections carry transfers";
            }
            if (refusal != null) {
                log.refused(address, refusal);
                return false;
            }
            victim = sheddable();
            unproven.remove(victim);
            victimAddress = forget(victim);
            track(address, connection);
        }
        log.refused(victimAddress, "closed a connection that had not logged in, to make room for a new one");
        closer.accept(victim);
        return true;
    }

    /** The oldest unproven connection of the address with the most unproven connections. */
    private C sheddable() {
        Map<InetAddress, Integer> counts = new HashMap<>();
        int most = 0;
        for (C c : unproven.keySet()) {
            most = Math.max(most, counts.merge(open.get(c), 1, Integer::sum));
        }
        for (C c : unproven.keySet()) {
            if (counts.get(open.get(c)) == most) {
                return c;
            }
        }
        throw new IllegalStateException("no unproven connection to shed");
    }

    private void track(InetAddress address, C connection) {
        if (open.putIfAbsent(connection, address) == null) {
            perAddress.merge(address, 1, Integer::sum);
            unproven.put(connection, Boolean.TRUE);
        }
    }

    /** The connection logged in, or began a request: it is no longer closed to make room. */
    public synchronized void proven(C connection) {
        unproven.remove(connection);
    }

    /** The connection went back to waiting (an HTTP connection between requests): it may be closed to make room. */
    public synchronized void idle(C connection) {
        if (open.containsKey(connection)) {
            unproven.put(connection, Boolean.TRUE);
        }
    }

    public synchronized void closed(C connection) {
        unproven.remove(connection);
        forget(connection);
    }

    public synchronized int openConnections() {
        return open.size();
    }

    private InetAddress forget(C connection) {
        InetAddress address = open.remove(connection);
        if (address != null) {
            perAddress.computeIfPresent(address, (a, n) -> n > 1 ? n - 1 : null);
        }
        return address;
    }
}
