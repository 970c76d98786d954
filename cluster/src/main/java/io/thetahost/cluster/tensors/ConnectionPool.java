package io.thetahost.cluster.tensors;

import io.thetahost.cluster.database.ClusterDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps a few idle connections to the database for the next statement: opening one costs PostgreSQL a backend
 * process, measured at 20 ms on the test machine against 0.1 ms for a statement, and an upload runs about six
 * statements. A connection handed out is returned by closing it (in autocommit mode, rolled back if it was not);
 * one that fails a validity check when taken again is dropped, so a database restart costs nothing but new
 * connections. At most {@link #MAX_IDLE} are kept idle; any number may be in use.
 */
final class ConnectionPool implements AutoCloseable {
    static final int MAX_IDLE = 8;
    private static final int VALID_SECONDS = 5;

    private final ClusterDatabase db;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private boolean closed;

    ConnectionPool(ClusterDatabase db) {
        this.db = db;
    }

    ClusterDatabase database() {
        return db;
    }

    /** A connection; closing it returns it here. */
    Connection connect() throws SQLException {
        while (true) {
            Connection c;
            synchronized (this) {
                c = idle.pollFirst();
            }
            if (c == null) {
                return lent(db.connect());
            }
            if (c.isValid(VALID_SECONDS)) {
                return lent(c);
            }
            closeQuietly(c);
        }
    }

    private Connection lent(Connection real) {
        AtomicBoolean returned = new AtomicBoolean();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    boolean noArgs = method.getParameterCount() == 0;
                    if (noArgs && method.getName().equals("close")) {
                        if (returned.compareAndSet(false, true)) {
                            giveBack(real);
                        }
                        return null;
                    }
                    if (noArgs && method.getName().equals("isClosed")) {
                        return returned.get() || real.isClosed();
                    }
                    if (returned.get()) {
                        throw new SQLException("the connection was closed (returned to the pool)");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private void giveBack(Connection c) {
        try {
            if (c.isClosed()) {
                return;
            }
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
            synchronized (this) {
                if (!closed && idle.size() < MAX_IDLE) {
                    idle.addFirst(c);
                    return;
                }
            }
        } catch (SQLException e) {
            // Broken: closed below, and the next caller opens a new one.
        }
        closeQuietly(c);
    }

    /** Closes the idle connections; those in use are closed when they are returned. */
    @Override
    public void close() {
        ArrayDeque<Connection> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayDeque<>(idle);
            idle.clear();
        }
        toClose.forEach(ConnectionPool::closeQuietly);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // Nothing more to release.
        }
    }
}
