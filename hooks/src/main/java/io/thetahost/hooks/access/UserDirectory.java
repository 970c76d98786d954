package io.thetahost.hooks.access;

import java.util.List;

/** The users a host authenticates, as the admin CLI last wrote them. */
public interface UserDirectory {

    /** The user's SSH public keys as OpenSSH authorized_keys lines; empty for an unknown user. */
    List<String> authorizedKeys(String user);

    /** Whether {@code token} is one of the user's HTTP access tokens. */
    boolean isValidToken(String user, String token);
}
