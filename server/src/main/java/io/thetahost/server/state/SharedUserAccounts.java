package io.thetahost.server.state;

import io.thetahost.cluster.registry.ClusterUsers;
import io.thetahost.hooks.naming.InvalidNameException;
import io.thetahost.hooks.naming.UserName;
import io.thetahost.server.registry.AdminException;
import io.thetahost.server.registry.UserAccounts;
import io.thetahost.sshd.auth.AuthorizedKey;
import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The users every front shares, in the database ({@link ClusterUsers}), refused and reported as the embedded ones. */
final class SharedUserAccounts implements UserAccounts {
    private final ClusterUsers users;

    SharedUserAccounts(ClusterUsers users) {
        this.users = users;
    }

    @Override
    public List<String> authorizedKeys(String user) {
        return users.authorizedKeys(user);
    }

    @Override
    public boolean isValidToken(String user, String token) {
        return users.isValidToken(user, token);
    }

    @Override
    public Optional<String> userOfToken(String token) {
        return users.userOfToken(token);
    }

    @Override
    public boolean exists(String user) {
        return users.exists(user);
    }

    @Override
    public List<String> list() {
        return users.list();
    }

    @Override
    public void add(String name, AuthorizedKey key) throws AdminException, IOException {
        try {
            UserName.check(name);
        } catch (InvalidNameException e) {
            throw new AdminException(e.getMessage());
        }
        if (key != null) {
            refuseTaken(key, name);
        }
        try {
            if (!users.add(name, key == null ? null : key.line(), key == null ? null : key.fingerprint())) {
                throw new AdminException("user '" + name + "' already exists");
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public void addKey(String name, AuthorizedKey key) throws AdminException, IOException {
        if (!users.exists(name)) {
            throw UserAccounts.noSuchUser(name);
        }
        refuseTaken(key, name);
        try {
            if (!users.addKey(name, key.line(), key.fingerprint())) {
                refuseTaken(key, name);
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** The database refuses a second holder too (the fingerprint is unique); this says who holds it. */
    private void refuseTaken(AuthorizedKey key, String name) throws AdminException {
        Optional<String> owner = users.keyOwner(key.fingerprint());
        if (owner.isPresent()) {
            throw UserAccounts.keyTaken(key, owner.get().equals(name), name);
        }
    }

    @Override
    public String createToken(String name) throws AdminException, IOException {
        if (!users.exists(name)) {
            throw UserAccounts.noSuchUser(name);
        }
        try {
            return users.createToken(name);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private static IOException failed(SQLException e) {
        return new IOException(e.getMessage(), e);
    }
}
