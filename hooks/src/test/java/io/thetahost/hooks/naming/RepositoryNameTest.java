package io.thetahost.hooks.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoryNameTest {

    private static void assertRefused(String input, String message) {
        InvalidNameException e = assertThrows(InvalidNameException.class, () -> RepositoryName.parse(input));
        assertEquals(message, e.getMessage());
    }

    @Test
    void parsesOwnerAndName() {
        RepositoryName n = RepositoryName.parse("alice/t5");
        assertEquals("alice", n.owner());
        assertEquals("t5", n.name());
        assertEquals("alice/t5", n.toString());
        assertEquals(Path.of("alice", "t5.git"), n.relativeGitDir());
    }

    @Test
    void stripsOneGitSuffix() {
        assertEquals(RepositoryName.parse("alice/t5"), RepositoryName.parse("alice/t5.git"));
        assertEquals("t5", RepositoryName.parse("alice/t5.git").name());
    }

    @Test
    void acceptsDigitsCaseDotsUnderscoresAndDashes() {
        RepositoryName n = RepositoryName.parse("Org-1/model_v2.x");
        assertEquals("Org-1", n.owner());
        assertEquals("model_v2.x", n.name());
    }

    @Test
    void acceptsSegmentOfExactlyTheMaximumLength() {
        String longest = "a".repeat(100);
        assertEquals(longest, RepositoryName.parse("alice/" + longest).name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/alice/t5.git", "alice/t5", "/alice/t5", "alice/t5.git", "/alice/t5.git/", "alice/t5/"})
    void requestPathFormsAllNameTheSameRepository(String path) {
        RepositoryName n = RepositoryName.fromRequestPath(path);
        assertEquals(RepositoryName.parse("alice/t5"), n);
        assertEquals(RepositoryName.parse("alice/t5").hashCode(), n.hashCode());
    }

    @Test
    void requestPathWithExtraPartsIsRefused() {
        InvalidNameException e = assertThrows(InvalidNameException.class,
                () -> RepositoryName.fromRequestPath("/alice/t5.git/info/refs"));
        assertEquals("invalid repository name '/alice/t5.git/info/refs': expected OWNER/NAME", e.getMessage());
        e = assertThrows(InvalidNameException.class, () -> RepositoryName.fromRequestPath("//alice/t5"));
        assertEquals("invalid repository name '//alice/t5': expected OWNER/NAME", e.getMessage());
    }

    @Test
    void requestPathWithDotDotIsRefused() {
        InvalidNameException e = assertThrows(InvalidNameException.class,
                () -> RepositoryName.fromRequestPath("/alice/../etc.git"));
        assertEquals("invalid repository name '/alice/../etc.git': contains '..'", e.getMessage());
    }

    @Test
    void emptyNameIsRefused() {
        assertRefused("", "repository name is empty");
    }

    @Test
    void dotDotIsRefused() {
        assertRefused("alice/../bob", "invalid repository name 'alice/../bob': contains '..'");
        assertRefused("alice/a..b", "invalid repository name 'alice/a..b': contains '..'");
    }

    @Test
    void absolutePathIsRefusedByParse() {
        assertRefused("/alice/t5", "invalid repository name '/alice/t5': absolute paths are not allowed, use OWNER/NAME");
    }

    @Test
    void backslashIsRefused() {
        assertRefused("alice\\t5", "invalid repository name 'alice\\t5': contains a backslash");
    }

    @Test
    void controlCharacterAfterABackslashIsShownEscaped() {
        assertRefused("alice\\t5\u001b[2J", "invalid repository name 'alice\\t5\\x1b[2J': contains a backslash");
    }

    @ParameterizedTest
    @CsvSource({"0, \\x00", "10, \\x0a", "27, \\x1b", "127, \\x7f"})
    void controlCharactersAreRefusedAndShownEscaped(int code, String shown) {
        assertRefused("alice/t" + (char) code + "5",
                "invalid repository name 'alice/t" + shown + "5': contains a control character");
    }

    @Test
    void missingSlashIsRefused() {
        assertRefused("alice", "invalid repository name 'alice': expected OWNER/NAME");
        assertRefused("t5.git", "invalid repository name 't5.git': expected OWNER/NAME");
    }

    @Test
    void extraSlashIsRefused() {
        assertRefused("alice/team/t5", "invalid repository name 'alice/team/t5': expected OWNER/NAME");
        assertRefused("alice/t5/", "invalid repository name 'alice/t5/': expected OWNER/NAME");
    }

    @Test
    void emptyPartIsRefused() {
        assertRefused("alice/", "invalid repository name 'alice/': has an empty part");
        assertRefused("alice/.git", "invalid repository name 'alice/.git': has an empty part");
    }

    @Test
    void lockSuffixIsRefused() {
        assertRefused("alice/t5.lock", "invalid repository name 'alice/t5.lock': 't5.lock' must not end with '.lock'");
        assertRefused("alice/t5.lock.git",
                "invalid repository name 'alice/t5.lock.git': 't5.lock' must not end with '.lock'");
    }

    @Test
    void leadingDotOrDashIsRefused() {
        assertRefused("alice/.hidden",
                "invalid repository name 'alice/.hidden': '.hidden' must start with a letter or a digit");
        assertRefused("-alice/t5", "invalid repository name '-alice/t5': '-alice' must start with a letter or a digit");
        assertRefused("alice/_t5", "invalid repository name 'alice/_t5': '_t5' must start with a letter or a digit");
    }

    @Test
    void trailingDotIsRefused() {
        assertRefused("alice/t5.", "invalid repository name 'alice/t5.': 't5.' must not end with '.'");
    }

    @Test
    void overlongSegmentIsRefused() {
        String tooLong = "a".repeat(101);
        assertRefused("alice/" + tooLong,
                "invalid repository name 'alice/" + tooLong + "': '" + tooLong + "' is longer than 100 characters");
    }

    @Test
    void nonAsciiIsRefused() {
        assertRefused("alice/modèle", "invalid repository name 'alice/modèle': 'modèle' may only contain letters,"
                + " digits, '.', '_' and '-' (found 'è')");
        assertRefused("élise/t5", "invalid repository name 'élise/t5': 'élise' must start with a letter or a digit");
    }

    @Test
    void otherPunctuationIsRefused() {
        assertRefused("alice/t 5", "invalid repository name 'alice/t 5': 't 5' may only contain letters,"
                + " digits, '.', '_' and '-' (found ' ')");
        assertRefused("alice/t5:x", "invalid repository name 'alice/t5:x': 't5:x' may only contain letters,"
                + " digits, '.', '_' and '-' (found ':')");
    }

    @Test
    void doubleGitSuffixIsRefused() {
        assertRefused("alice/x.git.git", "invalid repository name 'alice/x.git.git': 'x.git' must not end with '.git'");
    }
}
