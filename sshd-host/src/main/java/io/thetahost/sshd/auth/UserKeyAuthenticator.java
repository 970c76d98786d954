package io.thetahost.sshd.auth;

import io.thetahost.hooks.access.UserDirectory;
import io.thetahost.hooks.naming.UserName;
import java.security.PublicKey;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Accepts a login when the key is one of the named user's keys, read fresh so key changes apply at once. */
public final class UserKeyAuthenticator implements PublickeyAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(UserKeyAuthenticator.class);

    private final UserDirectory users;

    public UserKeyAuthenticator(UserDirectory users) {
        this.users = users;
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        if (!UserName.isValid(username)) {
            return false;
        }
        for (String line : users.authorizedKeys(username)) {
            try {
                if (AuthorizedKey.parse(line).matches(key)) {
                    return true;
                }
            } catch (IllegalArgumentException e) {
                LOG.warn("ignoring a stored key of user {} that no longer parses: {}", username, e.getMessage());
            }
        }
        return false;
    }
}
