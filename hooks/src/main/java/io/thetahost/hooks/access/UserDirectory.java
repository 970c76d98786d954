package io.thetahost.hooks.access;

import java.util.List;
import java.util.Optional;

/** The users a host authenticates, as the admin CLI last wrote them. */
public interface UserDirectory {

    /** The user's SSH public keys as OpenSSH authorized_keys lines; empty for an unknown user. */
    List<String> authorizedKeys(String user);

    /** Whether {@code token} is one of the user's HTTP access tokens. */
    boolean isValidToken(String user, String token);

    /**
     * The user whose HTTP access token this is, for callers that send the token alone ({@code Authorization: Bearer},
     * as huggingface_hub does); empty for a token no user holds.
     */
    Optional<String> userOfToken(String token);
}
