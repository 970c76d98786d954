package io.thetahost.hooks.access;

import static io.thetahost.hooks.access.AccessDecision.ALLOWED;
import static io.thetahost.hooks.access.AccessDecision.HIDDEN;
import static io.thetahost.hooks.access.AccessDecision.READ_ONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thetahost.hooks.naming.RepositoryName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccessDecisionTest {
    private static final RepositoryName REPO = RepositoryName.parse("alice/t5");

    @ParameterizedTest(name = "held {0}, needed {1} -> {2}")
    @CsvSource({
        "NONE,  READ,  HIDDEN",
        "NONE,  WRITE, HIDDEN",
        "NONE,  ADMIN, HIDDEN",
        "READ,  READ,  ALLOWED",
        "READ,  WRITE, READ_ONLY",
        "READ,  ADMIN, READ_ONLY",
        "WRITE, READ,  ALLOWED",
        "WRITE, WRITE, ALLOWED",
        "WRITE, ADMIN, READ_ONLY",
        "ADMIN, READ,  ALLOWED",
        "ADMIN, WRITE, ALLOWED",
        "ADMIN, ADMIN, ALLOWED",
    })
    void decideCoversEveryHeldAndNeededPair(Permission held, Permission needed, AccessDecision expected) {
        assertEquals(expected, AccessDecision.decide(held, needed));
    }

    @Test
    void readOnlyMessageNamesCallerAndRepository() {
        assertEquals("permission denied: bob may read alice/t5 but not write to it",
                READ_ONLY.message(Caller.user("bob"), REPO));
    }

    @Test
    void readOnlyMessageShowsAnonymousAsDash() {
        assertEquals("permission denied: - may read alice/t5 but not write to it",
                READ_ONLY.message(Caller.anonymous(), REPO));
    }

    @Test
    void hiddenMessageSaysNotFoundWhoeverAsks() {
        assertEquals("repository 'alice/t5' not found", HIDDEN.message(Caller.user("bob"), REPO));
        assertEquals("repository 'alice/t5' not found", HIDDEN.message(Caller.anonymous(), REPO));
    }

    @Test
    void allowedMessage() {
        assertEquals("allowed", ALLOWED.message(Caller.user("bob"), REPO));
    }
}
