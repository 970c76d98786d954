package io.thetahost.http.auth;

import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.access.UserDirectory;
import io.thetahost.hooks.naming.UserName;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** HTTP Basic authentication with a user name and an access token as the password. */
public final class BasicCredentials {
    /** Longest Authorization header considered; anything longer is not a user name and token. */
    static final int MAX_HEADER_LENGTH = 2048;

    private BasicCredentials() {
    }

    /**
     * The caller the header names: anonymous when there is no header.
     *
     * @return empty when the header is present but malformed, names no valid user, or carries a wrong token
     */
    public static Optional<Caller> authenticate(String authorization, UserDirectory users) {
        if (authorization == null) {
            return Optional.of(Caller.anonymous());
        }
        if (authorization.length() > MAX_HEADER_LENGTH
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        String user = decoded.substring(0, colon);
        String token = decoded.substring(colon + 1);
        if (!UserName.isValid(user) || token.isEmpty() || !users.isValidToken(user, token)) {
            return Optional.empty();
        }
        return Optional.of(Caller.user(user));
    }
}
