package io.thetahost.hooks.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UserNameTest {

    private static void assertRefused(String input, String message) {
        InvalidNameException e = assertThrows(InvalidNameException.class, () -> UserName.check(input));
        assertEquals(message, e.getMessage());
        assertFalse(UserName.isValid(input));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "Bob-2", "c.d_e", "0day"})
    void validNamesAreReturnedUnchanged(String name) {
        assertEquals(name, UserName.check(name));
        assertTrue(UserName.isValid(name));
    }

    @Test
    void emptyNameIsRefused() {
        assertRefused("", "user name is empty");
    }

    @Test
    void slashIsRefused() {
        assertRefused("alice/t5", "invalid user name 'alice/t5': 'alice/t5' may only contain letters, digits,"
                + " '.', '_' and '-' (found '/')");
    }

    @Test
    void pathTricksAreRefused() {
        assertRefused("a..b", "invalid user name 'a..b': contains '..'");
        assertRefused("a\\b", "invalid user name 'a\\b': contains a backslash");
        assertRefused("bob\u0000", "invalid user name 'bob\\x00': contains a control character");
    }

    @Test
    void segmentRulesApply() {
        assertRefused(".bob", "invalid user name '.bob': '.bob' must start with a letter or a digit");
        assertRefused("-bob", "invalid user name '-bob': '-bob' must start with a letter or a digit");
        assertRefused("bob.", "invalid user name 'bob.': 'bob.' must not end with '.'");
        assertRefused("bob.lock", "invalid user name 'bob.lock': 'bob.lock' must not end with '.lock'");
        String tooLong = "b".repeat(101);
        assertRefused(tooLong, "invalid user name '" + tooLong + "': '" + tooLong + "' is longer than 100 characters");
    }
}
