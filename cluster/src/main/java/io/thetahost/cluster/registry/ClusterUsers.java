package io.thetahost.cluster.registry;

import io.thetahost.cluster.database.ClusterDatabase;
import io.thetahost.hooks.access.AccessTokens;
import io.thetahost.hooks.access.UserDirectory;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Users, their SSH keys and their token hashes in the shared database: what every front authenticates against, and
 * what the admin commands change (a change is seen by every front at its next request). As in the embedded registry,
 * only a token's hash is kept.
 */
public final class ClusterUsers implements UserDirectory {
    private final ClusterDatabase db;

    public ClusterUsers(ClusterDatabase db) {
        this.db = db;
    }

    @Override
    public List<String> authorizedKeys(String user) {
        return strings("SELECT key FROM user_keys WHERE username = ? ORDER BY fingerprint", user);
    }

    @Override
    public boolean isValidToken(String user, String token) {
        return userOfToken(token).filter(user::equals).isPresent();
    }

    @Override
    public Optional<String> userOfToken(String token) {
        return strings("SELECT username FROM user_tokens WHERE token_hash = ?", AccessTokens.hash(token)).stream()
                .findFirst();
    }

    public boolean exists(String user) {
        return !strings("SELECT name FROM users WHERE name = ?", user).isEmpty();
    }

    /** Every user's name, sorted. */
    public List<String> list() {
        return strings("SELECT name FROM users WHERE name <> ? ORDER BY name COLLATE \"C\"", "");
    }

    /** Who holds the key with this fingerprint, if anyone. */
    public Optional<String> keyOwner(String fingerprint) {
        return strings("SELECT username FROM user_keys WHERE fingerprint = ?", fingerprint).stream().findFirst();
    }

    /**
     * Adds a user with one SSH key or none ({@code key} null), in one transaction.
     *
     * @return false when the user exists already (nothing changed)
     */
    public boolean add(String name, String key, String fingerprint) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement user = c.prepareStatement(
                    "INSERT INTO users (name) VALUES (?) ON CONFLICT DO NOTHING")) {
                user.setString(1, name);
                if (user.executeUpdate() == 0) {
                    c.rollback();
                    return false;
                }
            }
            if (key != null && !insertKey(c, name, key, fingerprint)) {
                c.rollback();
                throw new SQLException("key " + fingerprint + " is already registered to another user");
            }
            c.commit();
            return true;
        }
    }

    /** Adds another key; false when the user has it already. */
    public boolean addKey(String name, String key, String fingerprint) throws SQLException {
        try (Connection c = db.connect()) {
            return insertKey(c, name, key, fingerprint);
        }
    }

    private static boolean insertKey(Connection c, String name, String key, String fingerprint) throws SQLException {
        try (PreparedStatement k = c.prepareStatement("INSERT INTO user_keys (username, fingerprint, key) "
                + "VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            k.setString(1, name);
            k.setString(2, fingerprint);
            k.setString(3, key);
            return k.executeUpdate() == 1;
        }
    }

    /**
     * A new token for the user, shown once: only its hash is stored.
     *
     * @throws SQLException when there is no such user (the foreign key refuses it)
     */
    public String createToken(String name) throws SQLException {
        String token = AccessTokens.generate();
        try (Connection c = db.connect();
                PreparedStatement t = c.prepareStatement(
                        "INSERT INTO user_tokens (token_hash, username) VALUES (?, ?)")) {
            t.setString(1, AccessTokens.hash(token));
            t.setString(2, name);
            t.executeUpdate();
        }
        return token;
    }

    private List<String> strings(String sql, String parameter) {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, parameter);
            List<String> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            // Authentication cannot go on without the database: the request fails, naming it.
            throw new UncheckedIOException(new java.io.IOException(e.getMessage(), e));
        }
    }
}
