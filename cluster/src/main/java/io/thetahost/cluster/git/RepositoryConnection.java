package io.thetahost.cluster.git;

import io.thetahost.cluster.database.ClusterDatabase;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The one database connection an open {@link ClusterRepository} uses for its refs, packs and config, opened when first
 * needed and closed with the repository: a request costs one connection, not one per query. Units of work are
 * serialised, so a repository shared by threads never interleaves two transactions on the connection.
 */
final class RepositoryConnection implements AutoCloseable {
    /** Work on the connection; a transaction's work may roll back itself and return. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final ClusterDatabase db;
    private final String repository;
    private Connection connection;
    private boolean closed;

    RepositoryConnection(ClusterDatabase db, String repository, Connection opened) {
        this.db = db;
        this.repository = repository;
        this.connection = opened;
    }

    String repository() {
        return repository;
    }

    /**
     * Runs {@code work} outside a transaction (each statement commits by itself).
     *
     * @param what what the work does, for the message of a failure ("read the refs")
     */
    synchronized <T> T read(String what, Work<T> work) throws IOException {
        Connection c = connection();
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Runs {@code work} in one transaction, committed when it returns, rolled back when it throws. */
    synchronized <T> T transaction(String what, Work<T> work) throws IOException {
        Connection c = connection();
        try {
            c.setAutoCommit(false);
            T result = work.run(c);
            c.commit();
            c.setAutoCommit(true);
            return result;
        } catch (SQLException e) {
            try {
                c.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw failure(what, e);
        } catch (RuntimeException e) {
            // Not left mid-transaction for the next unit of work: dropping the connection rolls back.
            drop();
            throw e;
        }
    }

    private Connection connection() throws IOException {
        if (closed) {
            throw new IOException("repository " + repository + " is closed");
        }
        if (connection == null) {
            try {
                connection = db.connect();
            } catch (SQLException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        return connection;
    }

    /**
     * The failure as an IOException (what JGit's storage API throws), naming the repository and the database. The
     * connection is dropped: after an error its state is unknown, and the next unit of work connects afresh.
     */
    private IOException failure(String what, SQLException e) {
        drop();
        return new IOException("could not " + what + " of repository " + repository + " in " + db.url() + ": "
                + e.getMessage(), e);
    }

    private void drop() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // It is being dropped because it failed; a failure to close it says nothing more.
            }
            connection = null;
        }
    }

    @Override
    public synchronized void close() {
        drop();
        closed = true;
    }
}
