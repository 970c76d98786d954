package io.thetahost.server.state;

import io.thetahost.cluster.database.ClusterDatabase;
import io.thetahost.sshd.SshHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/**
 * One SSH host key for every front, kept in the database (table host_key), so a client's known_hosts entry holds
 * whichever front it reaches. The first front to find none generates one and offers it; whichever offer the database
 * took first is the key, and every front writes it to its own file for the SSH server to read.
 */
final class SharedHostKey {
    private SharedHostKey() {
    }

    static Path materialize(ClusterDatabase db, Path file) throws IOException {
        try (Connection c = db.connect()) {
            Optional<String> key = read(c);
            if (key.isEmpty()) {
                Path fresh = file.resolveSibling(file.getFileName() + ".new-" + UUID.randomUUID());
                try {
                    SshHost.generateHostKey(fresh);
                    try (PreparedStatement offer = c.prepareStatement(
                            "INSERT INTO host_key (id, pem) VALUES (1, ?) ON CONFLICT DO NOTHING")) {
                        offer.setString(1, Files.readString(fresh, StandardCharsets.UTF_8));
                        offer.executeUpdate();
                    }
                } finally {
                    Files.deleteIfExists(fresh);
                }
                key = read(c);
            }
            String pem = key.orElseThrow(() -> new IOException("the SSH host key in " + db.url() + " vanished"));
            if (!Files.exists(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(pem)) {
                Path temp = file.resolveSibling(file.getFileName() + ".tmp-" + UUID.randomUUID());
                try {
                    Files.createFile(temp, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(temp, pem, StandardCharsets.UTF_8);
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
            return file;
        } catch (SQLException e) {
            throw new IOException("cannot read or store the shared SSH host key: " + e.getMessage(), e);
        }
    }

    private static Optional<String> read(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pem FROM host_key WHERE id = 1");
                ResultSet r = s.executeQuery()) {
            return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
        }
    }
}
