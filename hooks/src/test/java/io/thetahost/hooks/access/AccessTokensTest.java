package io.thetahost.hooks.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessTokensTest {

    @Test
    void tokenIsPrefixAnd43Base62Characters() {
        for (int i = 0; i < 100; i++) {
            String token = AccessTokens.generate();
            assertTrue(token.matches("tht_[A-Za-z0-9]{43}"), token);
        }
    }

    @Test
    void tokensAreDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertTrue(seen.add(AccessTokens.generate()));
        }
    }

    @Test
    void hashIsPrefixedLowercaseSha256() {
        assertEquals("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                AccessTokens.hash("abc"));
        String hash = AccessTokens.hash(AccessTokens.generate());
        assertTrue(hash.matches("sha256:[0-9a-f]{64}"), hash);
    }

    @Test
    void hashDoesNotContainTheToken() {
        String token = AccessTokens.generate();
        assertFalse(AccessTokens.hash(token).contains(token.substring(4)));
        assertNotEquals(AccessTokens.hash(token), AccessTokens.hash(AccessTokens.generate()));
    }

    @Test
    void matchesOnlyTheTokenThatWasHashed() {
        String token = AccessTokens.generate();
        String stored = AccessTokens.hash(token);
        assertTrue(AccessTokens.matches(token, stored));
        assertFalse(AccessTokens.matches(AccessTokens.generate(), stored));
        assertFalse(AccessTokens.matches(token + "x", stored));
        assertFalse(AccessTokens.matches(token, stored.toUpperCase()));
        assertFalse(AccessTokens.matches(token, ""));
    }
}
