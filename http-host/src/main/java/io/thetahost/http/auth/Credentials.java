package io.thetahost.http.auth;

import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.access.UserDirectory;
import io.thetahost.hooks.naming.UserName;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * HTTP authentication with an access token: Basic with the user name and the token as the password (as git sends
 * it), or Bearer with the token alone (as huggingface_hub sends it).
 */
public final class Credentials {
    /** Longest Authorization header considered; anything longer is not a user name and token. */
    static final int MAX_HEADER_LENGTH = 2048;

    private Credentials() {
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
        if (authorization.length() > MAX_HEADER_LENGTH) {
            return Optional.empty();
        }
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return bearer(authorization.substring(7).strip(), users);
        }
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
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

    private static Optional<Caller> bearer(String token, UserDirectory users) {
        if (token.isEmpty() || !token.chars().allMatch(c -> c > ' ' && c < 127)) {
            return Optional.empty();
        }
        return users.userOfToken(token).filter(UserName::isValid).map(Caller::user);
    }
}
