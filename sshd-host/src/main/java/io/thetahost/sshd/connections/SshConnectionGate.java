package io.thetahost.sshd.connections;

import io.thetahost.hooks.connections.ConnectionGate;
import io.thetahost.hooks.connections.ConnectionLimits;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;

/**
 * Holds the SSH port to its {@link ConnectionLimits}: a connection is judged as its session is created, before any key
 * exchange is spent on it, counted until it closes, and proven once its user logged in. MINA closes sessions that do
 * not log in within the login timeout or fall idle.
 */
public final class SshConnectionGate {
    private final ConnectionGate<Session> gate;

    private SshConnectionGate(ConnectionLimits limits) {
        gate = new ConnectionGate<>("ssh", limits, session -> session.close(true));
    }

    /** Installs the limits on a server not yet started. */
    public static void install(SshServer server, ConnectionLimits limits) {
        SshConnectionGate g = new SshConnectionGate(limits);
        CoreModuleProperties.AUTH_TIMEOUT.set(server, limits.loginTimeout());
        CoreModuleProperties.IDLE_TIMEOUT.set(server, limits.idleTimeout());
        // A client that vanished without a FIN (a dropped link, a killed machine) is found by TCP in the end.
        CoreModuleProperties.SOCKET_KEEPALIVE.set(server, true);
        // Java's default accept queue is 50: under a flood the kernel then drops the SYNs of real clients too, which
        // retry a second later. Netty (the HTTP port) asks for 1024 likewise.
        CoreModuleProperties.SOCKET_BACKLOG.set(server, 1024);
        server.addSessionListener(g.new Lifecycle());
    }

    private final class Lifecycle implements SessionListener {
        @Override
        public void sessionCreated(Session session) {
            // Throwing makes MINA close the new session before it starts (MINA logs it at debug level only). The
            // decision cannot be made earlier, when MINA offers the accepted socket to an IoServiceEventListener:
            // refusing there leaves the socket open.
            if (!gate.tryOpen(address(session.getIoSession().getRemoteAddress()), session)) {
                throw new ConnectionRefusedException();
            }
        }

        @Override
        public void sessionEvent(Session session, Event event) {
            if (event == Event.Authenticated) {
                gate.proven(session);
            }
        }

        @Override
        public void sessionClosed(Session session) {
            gate.closed(session);
        }
    }

    private static final class ConnectionRefusedException extends RuntimeException {
        ConnectionRefusedException() {
            super("connection limit reached", null, false, false);
        }
    }

    private static InetAddress address(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i.getAddress() : InetAddress.getLoopbackAddress();
    }
}
