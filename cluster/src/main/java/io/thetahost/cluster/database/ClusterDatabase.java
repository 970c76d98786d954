package io.thetahost.cluster.database;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The PostgreSQL database several fronts share: connections to it, and its schema, created and migrated when a front
 * or an admin command opens it (Flyway applies {@code db/migration} in order, once, under its own lock, so fronts
 * starting together migrate once).
 */
public final class ClusterDatabase {
    private final DatabaseUrl url;

    private ClusterDatabase(DatabaseUrl url) {
        this.url = url;
    }

    /**
     * Connects and brings the schema up to date.
     *
     * @throws SQLException naming the database when it cannot be reached or migrated
     */
    public static ClusterDatabase open(DatabaseUrl url) throws SQLException {
        ClusterDatabase db = new ClusterDatabase(url);
        db.migrate();
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
                    .dataSource(url.jdbcUrl(), url.user(), url.password().orElse(null))
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            applied = result.migrationsExecuted;
        } catch (FlywayException e) {
            throw new SQLException("could not bring the schema of " + url + " up to date: " + e.getMessage(), e);
        }
    }

    /** A new connection; the caller closes it. */
    public Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", url.user());
        url.password().ifPresent(p -> props.setProperty("password", p));
        props.setProperty("ApplicationName", "thetahost");
        try {
            return DriverManager.getConnection(url.jdbcUrl(), props);
        } catch (SQLException e) {
            throw new SQLException("cannot reach " + url + ": " + e.getMessage(), e.getSQLState(), e);
        }
    }

    public DatabaseUrl url() {
        return url;
    }
}
