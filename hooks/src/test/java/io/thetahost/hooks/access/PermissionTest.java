package io.thetahost.hooks.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class PermissionTest {

    @ParameterizedTest
    @EnumSource(Permission.class)
    void parseReadsBackEveryWord(Permission p) {
        assertEquals(p, Permission.parse(p.word()));
    }

    @Test
    void wordsAreLowercase() {
        assertEquals("none", Permission.NONE.word());
        assertEquals("read", Permission.READ.word());
        assertEquals("write", Permission.WRITE.word());
        assertEquals("admin", Permission.ADMIN.word());
    }

    @ParameterizedTest
    @ValueSource(strings = {"READ", "Write", "owner", "", " read", "read "})
    void unknownWordsAreRefusedNamingTheAcceptedOnes(String word) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Permission.parse(word));
        assertEquals("unknown permission '" + word + "': expected read, write, admin or none", e.getMessage());
    }

    @Test
    void eachLevelIncludesItselfAndTheOnesBelow() {
        assertTrue(Permission.ADMIN.includes(Permission.WRITE));
        assertTrue(Permission.ADMIN.includes(Permission.READ));
        assertTrue(Permission.WRITE.includes(Permission.READ));
        assertTrue(Permission.WRITE.includes(Permission.WRITE));
        assertTrue(Permission.READ.includes(Permission.NONE));
        assertTrue(Permission.NONE.includes(Permission.NONE));
    }

    @Test
    void noLevelIncludesAHigherOne() {
        assertFalse(Permission.NONE.includes(Permission.READ));
        assertFalse(Permission.READ.includes(Permission.WRITE));
        assertFalse(Permission.WRITE.includes(Permission.ADMIN));
        assertFalse(Permission.READ.includes(Permission.ADMIN));
    }
}
