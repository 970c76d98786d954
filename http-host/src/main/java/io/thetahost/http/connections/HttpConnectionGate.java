package io.thetahost.http.connections;

import io.thetahost.hooks.connections.ConnectionGate;
import io.thetahost.hooks.connections.ConnectionLimits;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Holds the HTTP port to its {@link ConnectionLimits}. A connection is judged as Vert.x opens it; it is unproven until
 * its first request head is complete, and closed if that takes longer than the login timeout (Vert.x has no deadline
 * for a request head, only an idle timeout that a client sending a byte now and then never reaches). While a request
 * runs the connection is proven; between requests it is unproven again and may be closed to make room.
 */
public final class HttpConnectionGate {
    private final Vertx vertx;
    private final ConnectionGate<HttpConnection> gate;
    /** The head deadline's timer of each connection that has not sent a request yet. */
    private final Map<HttpConnection, Long> headDeadlines = new ConcurrentHashMap<>();

    public HttpConnectionGate(Vertx vertx, ConnectionLimits limits) {
        this.vertx = vertx;
        this.gate = new ConnectionGate<>("http", limits, HttpConnection::close);
    }

    /** The server options that belong to the limits: the idle timeout, TCP keepalive for vanished clients. */
    public HttpServerOptions configure(HttpServerOptions options) {
        return options.setIdleTimeout((int) gate.limits().idleTimeout().toSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setTcpKeepAlive(true);
    }

    /** For {@code HttpServer.connectionHandler}: runs on the connection's event loop as it opens. */
    public Handler<HttpConnection> connectionHandler() {
        return connection -> {
            InetAddress from = address(connection);
            if (!gate.tryOpen(from, connection)) {
                connection.close();
                return;
            }
            connection.closeHandler(v -> {
                cancelDeadline(connection);
                gate.closed(connection);
            });
            long timer = vertx.setTimer(gate.limits().loginTimeout().toMillis(), id -> {
                if (headDeadlines.remove(connection) != null) {
                    connection.close();
                }
            });
            headDeadlines.put(connection, timer);
        };
    }

    /** Wraps the request handler: a request marks its connection proven until its response ends. */
    public Handler<HttpServerRequest> requestHandler(Handler<HttpServerRequest> inner) {
        return request -> {
            HttpConnection connection = request.connection();
            cancelDeadline(connection);
            gate.proven(connection);
            request.response().endHandler(v -> gate.idle(connection));
            inner.handle(request);
        };
    }

    private void cancelDeadline(HttpConnection connection) {
        Long timer = headDeadlines.remove(connection);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }

    private static InetAddress address(HttpConnection connection) {
        io.vertx.core.net.SocketAddress remote = connection.remoteAddress();
        try {
            return remote != null && remote.hostAddress() != null ? InetAddress.getByName(remote.hostAddress())
                    : InetAddress.getLoopbackAddress();
        } catch (UnknownHostException e) {
            return InetAddress.getLoopbackAddress();
        }
    }
}
