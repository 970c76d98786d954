package io.thetahost.cluster.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {
    @Test
    void userHostPortAndDatabase() {
        DatabaseUrl u = DatabaseUrl.parse("postgresql://alice@db.example:6543/models", Optional.empty());
        assertEquals("jdbc:postgresql://db.example:6543/models", u.jdbcUrl());
        assertEquals("alice", u.user());
        assertEquals(Optional.empty(), u.password());
        assertEquals(5432, DatabaseUrl.parse("postgres://a@h/d", Optional.empty()).port());
    }

    @Test
    void thePasswordFromTheUrlOrElsePgPasswordAndNeverInMessages() {
        DatabaseUrl inUrl = DatabaseUrl.parse("postgresql://alice:s%40cret@h:1/d", Optional.of("other"));
        assertEquals(Optional.of("s@cret"), inUrl.password());
        assertFalse(inUrl.toString().contains("cret"), inUrl.toString());
        assertEquals(Optional.of("env"), DatabaseUrl.parse("postgresql://alice@h/d", Optional.of("env")).password());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql://a@h/d", "postgresql://h/d", "postgresql://a@/d", "postgresql://a@h",
            "postgresql://a@h/", "postgresql://a@h/d/e", "postgresql://:p@h/d", "postgresql://a@h/d?sslmode=x",
            "not a url", "postgresql://a@h:99999999/d"})
    void malformedValuesSayWhatIsExpected(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatabaseUrl.parse(value, Optional.empty()));
        assertTrue(e.getMessage().contains("expected postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
                || e.getMessage().contains("is not a URL"), e.getMessage());
    }
}
