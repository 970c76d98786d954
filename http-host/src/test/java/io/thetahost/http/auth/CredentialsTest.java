package io.thetahost.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.access.UserDirectory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialsTest {

    /** Users and their single token; remembers who was asked about. */
    private static final class Directory implements UserDirectory {
        private final Map<String, String> tokens;
        final List<String> asked = new ArrayList<>();

        Directory(Map<String, String> tokens) {
            this.tokens = tokens;
        }

        @Override
        public List<String> authorizedKeys(String user) {
            return List.of();
        }

        @Override
        public boolean isValidToken(String user, String token) {
            asked.add(user);
            return token.equals(tokens.get(user));
        }

        @Override
        public Optional<String> userOfToken(String token) {
            asked.add("?");
            return tokens.entrySet().stream().filter(e -> e.getValue().equals(token)).map(Map.Entry::getKey)
                    .findFirst();
        }
    }

    private final Directory users = new Directory(Map.of("alice", "tht_secret", "bob", "a:b"));

    private static String basic(String userAndToken) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndToken.getBytes(StandardCharsets.UTF_8));
    }

    private Optional<Caller> authenticate(String header) {
        return Credentials.authenticate(header, users);
    }

    @Test
    void noHeaderIsAnonymous() {
        assertEquals(Optional.of(Caller.anonymous()), authenticate(null));
        assertTrue(users.asked.isEmpty());
    }

    @Test
    void rightTokenNamesTheUser() {
        assertEquals(Optional.of(Caller.user("alice")), authenticate(basic("alice:tht_secret")));
    }

    @Test
    void schemeIsCaseInsensitiveAndSurroundingSpaceIgnored() {
        String encoded = Base64.getEncoder().encodeToString("alice:tht_secret".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.of(Caller.user("alice")), authenticate("basic " + encoded));
        assertEquals(Optional.of(Caller.user("alice")), authenticate("BASIC   " + encoded + "  "));
    }

    @Test
    void tokenMaySplitAtTheFirstColonOnly() {
        assertEquals(Optional.of(Caller.user("bob")), authenticate(basic("bob:a:b")));
    }

    @Test
    void wrongTokenIsRefused() {
        assertEquals(Optional.empty(), authenticate(basic("alice:tht_wrong")));
        assertEquals(Optional.empty(), authenticate(basic("alice:a:b")));
    }

    @Test
    void unknownUserIsRefused() {
        assertEquals(Optional.empty(), authenticate(basic("carol:tht_secret")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic !!!notbase64", "Basic YWxpY2U6dGh0X3NlY3JldA=x", "Basic "})
    void badBase64IsRefused(String header) {
        assertEquals(Optional.empty(), authenticate(header));
        assertTrue(users.asked.isEmpty());
    }

    @Test
    void missingColonIsRefused() {
        assertEquals(Optional.empty(), authenticate(basic("alice")));
        assertTrue(users.asked.isEmpty());
    }

    @Test
    void emptyUserIsRefused() {
        assertEquals(Optional.empty(), authenticate(basic(":tht_secret")));
        assertTrue(users.asked.isEmpty());
    }

    @Test
    void emptyTokenIsRefusedWithoutAskingTheDirectory() {
        assertEquals(Optional.empty(), authenticate(basic("alice:")));
        assertTrue(users.asked.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../alice", "alice/x", ".alice", "al ice", "alice\n"})
    void invalidUserNameIsRefusedWithoutAskingTheDirectory(String user) {
        assertEquals(Optional.empty(), authenticate(basic(user + ":tht_secret")));
        assertTrue(users.asked.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Digest username=\"alice\"", "", "Basic", "BasicYWxpY2U6eA==", "Bearertht_secret"})
    void otherSchemesAreRefused(String header) {
        assertEquals(Optional.empty(), authenticate(header));
        assertTrue(users.asked.isEmpty());
    }

    @Test
    void aBearerTokenAloneNamesItsUser() {
        assertEquals(Optional.of(Caller.user("alice")), authenticate("Bearer tht_secret"));
        assertEquals(Optional.of(Caller.user("alice")), authenticate("bearer   tht_secret "));
        assertEquals(Optional.empty(), authenticate("Bearer tht_wrong"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer ", "Bearer tht secret", "Bearer tht_s\u00e9cret", "Bearer tht\tsecret"})
    void aMalformedBearerTokenIsRefusedWithoutAskingTheDirectory(String header) {
        assertEquals(Optional.empty(), authenticate(header));
        assertTrue(users.asked.isEmpty());
    }

    @Test
    void overlongHeaderIsRefusedEvenWithAGoodToken() {
        String longToken = "t".repeat(Credentials.MAX_HEADER_LENGTH);
        Directory anyToken = new Directory(Map.of("alice", longToken));
        assertEquals(Optional.empty(), Credentials.authenticate(basic("alice:" + longToken), anyToken));
        assertTrue(anyToken.asked.isEmpty());
    }

    @Test
    void headerJustUnderTheLimitIsRead() {
        // "Basic " + base64 of 1530 bytes (2040 characters) = 2046 characters.
        String token = "t".repeat(1530 - "alice:".length());
        Directory directory = new Directory(Map.of("alice", token));
        String header = basic("alice:" + token);
        assertTrue(header.length() <= Credentials.MAX_HEADER_LENGTH, String.valueOf(header.length()));
        assertEquals(Optional.of(Caller.user("alice")), Credentials.authenticate(header, directory));
    }
}
