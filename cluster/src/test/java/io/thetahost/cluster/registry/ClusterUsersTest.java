package io.thetahost.cluster.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.cluster.support.LocalCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Users as two fronts see them through one PostgreSQL. */
class ClusterUsersTest {
    static LocalCluster cluster;
    static ClusterUsers front1;
    static ClusterUsers front2;

    @BeforeAll
    static void up() throws Exception {
        cluster = LocalCluster.up();
        front1 = new ClusterUsers(cluster.database());
        front2 = new ClusterUsers(cluster.database());
    }

    @AfterAll
    static void down() throws Exception {
        cluster.close();
    }

    @Test
    void aUserAddedThroughOneFrontAuthenticatesThroughTheOther() throws Exception {
        assertTrue(front1.add("alice", "ssh-ed25519 AAAA alice@a", "SHA256:a"));
        assertFalse(front2.add("alice", "ssh-ed25519 BBBB other", "SHA256:b"), "added once");
        assertTrue(front2.addKey("alice", "ssh-ed25519 CCCC alice@c", "SHA256:c"));
        assertEquals(List.of("ssh-ed25519 AAAA alice@a", "ssh-ed25519 CCCC alice@c"), front1.authorizedKeys("alice"));
        String token = front1.createToken("alice");
        assertEquals(Optional.of("alice"), front2.userOfToken(token));
        assertTrue(front2.isValidToken("alice", token));
        assertFalse(front2.isValidToken("bob", token));
        assertEquals(Optional.empty(), front2.userOfToken(token + "x"));
    }

    @Test
    void onlyTheTokensHashIsStoredAndUnknownUsersGetNone() throws Exception {
        front1.add("carol", "ssh-ed25519 DDDD carol", "SHA256:d");
        String token = front1.createToken("carol");
        try (Connection c = cluster.database().connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT token_hash FROM user_tokens WHERE username = 'carol'")) {
            assertTrue(r.next());
            assertFalse(r.getString(1).contains(token.substring(4)), "the token itself is not stored");
        }
        assertThrows(SQLException.class, () -> front1.createToken("nobody"));
        assertEquals(List.of(), front1.authorizedKeys("nobody"));
    }
}
