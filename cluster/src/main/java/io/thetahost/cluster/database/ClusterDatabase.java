package io.thetahost.cluster.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The PostgreSQL database several fronts share: connections to it, and its schema, created and migrated when a front
 * or an admin command opens it (Flyway applies {@code db/migration} in order, once, under its own lock, so fronts
 * starting together migrate once). Connections come from a pool of at most {@link #MAX_CONNECTIONS}; close each
 * one to give it back.
 */
public final class ClusterDatabase implements AutoCloseable {
    /**
     * Per front: above the git threads of one transport (32 by default; an open repository holds one connection for
     * its request), below PostgreSQL's default 100 connections for two fronts. Requests beyond it wait up to
     * {@link #WAIT_MILLIS}.
     */
    public static final int MAX_CONNECTIONS = 40;
    private static final long WAIT_MILLIS = 15_000;

    private final DatabaseUrl url;
    private final HikariDataSource pool;
    private final RoundTrips roundTrips = new RoundTrips();

    private ClusterDatabase(DatabaseUrl url, HikariDataSource pool) {
        this.url = url;
        this.pool = pool;
    }

    /**
     * Connects and brings the schema up to date.
     *
     * @throws SQLException naming the database when it cannot be reached or migrated
     */
    public static ClusterDatabase open(DatabaseUrl url) throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url.jdbcUrl());
        config.setUsername(url.user());
        url.password().ifPresent(config::setPassword);
        config.addDataSourceProperty("ApplicationName", "thetahost");
        config.setMaximumPoolSize(MAX_CONNECTIONS);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(WAIT_MILLIS);
        config.setPoolName("thetahost-database");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new SQLException("cannot reach " + url + ": " + cause.getMessage(), e);
        }
        ClusterDatabase db = new ClusterDatabase(url, pool);
        try {
            db.migrate();
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e;
        }
        return db;
    }

    /** How many migrations this opening applied (0 when the schema was current). */
    private int applied;

    public int migrationsApplied() {
        return applied;
    }

    private void migrate() throws SQLException {
        try {
            MigrateResult result = Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            applied = result.migrationsExecuted;
        } catch (FlywayException e) {
            throw new SQLException("could not bring the schema of " + url + " up to date: " + e.getMessage(), e);
        }
    }

    /** A connection from the pool, in auto-commit mode; the caller closes it to give it back. */
    public Connection connect() throws SQLException {
        try {
            return roundTrips.counting(pool.getConnection());
        } catch (SQLException e) {
            throw new SQLException("cannot reach " + url + ": " + e.getMessage(), e.getSQLState(), e);
        }
    }

    /** This front's exchanges with the database so far. */
    public RoundTrips roundTrips() {
        return roundTrips;
    }

    @Override
    public void close() {
        pool.close();
    }

    public DatabaseUrl url() {
        return url;
    }
}
