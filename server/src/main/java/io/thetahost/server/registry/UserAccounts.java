package io.thetahost.server.registry;

import io.thetahost.hooks.access.UserDirectory;
import io.thetahost.sshd.auth.AuthorizedKey;
import java.io.IOException;
import java.util.List;

/**
 * The users a host knows, as the admin commands change them: {@link UserRegistry} in the data directory, or the
 * shared database when several fronts serve (docs/CLUSTER.md). Both refuse the same things with the same words.
 */
public interface UserAccounts extends UserDirectory {

    boolean exists(String user);

    /** All user names, sorted. */
    List<String> list() throws IOException;

    /** Adds a user, with one SSH key or none; refuses a taken name, a bad name, or a key another user holds. */
    void add(String name, AuthorizedKey key) throws AdminException, IOException;

    void addKey(String name, AuthorizedKey key) throws AdminException, IOException;

    /** Creates a token and returns it; only its hash is stored. */
    String createToken(String name) throws AdminException, IOException;

    static AdminException noSuchUser(String name) {
        return new AdminException("no such user '" + name + "'; add it with: thetahost user add " + name);
    }

    static AdminException keyTaken(AuthorizedKey key, boolean bySameUser, String name) {
        return new AdminException("key " + key.fingerprint() + " is already registered"
                + (bySameUser ? " for '" + name + "'" : " to another user"));
    }
}
