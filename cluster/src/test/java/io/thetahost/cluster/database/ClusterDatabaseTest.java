package io.thetahost.cluster.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.cluster.support.LocalCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The schema on a real PostgreSQL, started by bench/cluster.sh as a developer would start it. */
class ClusterDatabaseTest {
    static LocalCluster cluster;
    static String database;

    @BeforeAll
    static void up() throws Exception {
        cluster = LocalCluster.up();
        database = cluster.value("--database");
    }

    @AfterAll
    static void down() throws Exception {
        cluster.close();
    }

    private static List<String> tables(ClusterDatabase db) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE "
                        + "table_schema = 'public' AND table_name <> 'flyway_schema_history' ORDER BY 1")) {
            while (r.next()) {
                names.add(r.getString(1));
            }
        }
        return names;
    }

    @Test
    void fronts_startingTogether_migrateTheSchemaOnce() throws Exception {
        // A fresh database of its own, so that this test sees the first migration.
        try (Connection c = ClusterDatabase.open(DatabaseUrl.parse(database, Optional.empty())).connect();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS fresh");
            s.execute("CREATE DATABASE fresh");
        }
        DatabaseUrl fresh = DatabaseUrl.parse(database.replaceAll("/[^/]+$", "/fresh"), Optional.empty());
        ExecutorService fronts = Executors.newFixedThreadPool(3);
        List<Future<ClusterDatabase>> opened = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            opened.add(fronts.submit(() -> ClusterDatabase.open(fresh)));
        }
        int applied = 0;
        for (Future<ClusterDatabase> f : opened) {
            applied += f.get().migrationsApplied();
        }
        fronts.shutdown();
        assertEquals(2, applied, "three fronts starting at once apply each migration once");
        assertEquals(List.of("git_packs", "git_refs", "host_key",
                "pending_uploads", "repositories", "tensor_grants", "tensors", "user_keys", "user_tokens", "users"),
                tables(opened.get(0).get()));
        assertEquals(0, ClusterDatabase.open(fresh).migrationsApplied(), "a restart finds the schema current");
    }

    @Test
    void theSchemaRefusesWhatWouldBeInconsistent() throws Exception {
        ClusterDatabase db = ClusterDatabase.open(DatabaseUrl.parse(database, Optional.empty()));
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO users VALUES ('ann'), ('ben')");
            s.execute("INSERT INTO user_keys VALUES ('ann', 'SHA256:same', 'ssh-ed25519 AAAA')");
            assertThrows(SQLException.class, () -> s.execute(
                    "INSERT INTO user_keys VALUES ('ben', 'SHA256:same', 'ssh-ed25519 AAAA')"), "one key, one user");
            assertThrows(SQLException.class, () -> s.execute("INSERT INTO host_key VALUES (2, 'x')"));
            assertThrows(SQLException.class, () -> s.execute("INSERT INTO tensors (id, dtype, shape, size, kind, "
                    + "base, chain_depth, encoded_bytes, has_nan, has_inf, object_key) VALUES ('sha256:a', 'F32', "
                    + "'{2}', 8, 'low-rank', NULL, 1, 4, false, false, 'k')"), "a patch without its base");
        }
    }

    @Test
    void anUnreachableDatabaseIsNamedWithoutItsPassword() {
        DatabaseUrl nowhere = DatabaseUrl.parse("postgresql://thetahost:secret@127.0.0.1:1/thetahost",
                Optional.empty());
        SQLException e = assertThrows(SQLException.class, () -> ClusterDatabase.open(nowhere));
        assertTrue(e.getMessage().contains("postgresql://thetahost@127.0.0.1:1/thetahost"), e.getMessage());
        assertTrue(!e.getMessage().contains("secret"), e.getMessage());
    }
}
