package io.thetahost.sshd.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.thetahost.hooks.transport.GitService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class GitCommandLineTest {

    private static void assertRefused(String command, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GitCommandLine.parse(command));
        assertEquals(message, e.getMessage());
    }

    @Test
    void dashedFormWithQuotedAbsolutePath() {
        assertEquals(new GitCommandLine(GitService.UPLOAD_PACK, "/a/b.git"),
                GitCommandLine.parse("git-upload-pack '/a/b.git'"));
    }

    @Test
    void spacedFormWithQuotedRelativePath() {
        assertEquals(new GitCommandLine(GitService.UPLOAD_PACK, "a/b.git"),
                GitCommandLine.parse("git upload-pack 'a/b.git'"));
    }

    @Test
    void receivePackInBothForms() {
        assertEquals(GitService.RECEIVE_PACK, GitCommandLine.parse("git-receive-pack 'alice/t5.git'").service());
        assertEquals(GitService.RECEIVE_PACK, GitCommandLine.parse("git receive-pack 'alice/t5.git'").service());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "git-upload-pack /a/b.git         | /a/b.git",
        "  git-upload-pack   '/a/b.git'   | /a/b.git",
        "git-upload-pack '/it'\\''s.git'  | /it's.git",
        "git-upload-pack '/a/'b'.git'     | /a/b.git",
        "git-upload-pack /a/b\\ c.git     | /a/b c.git",
        "git-upload-pack '/a/$b;c.git'    | /a/$b;c.git",
    })
    void pathIsUnquotedTheWayGitsSqQuoteQuotesIt(String command, String path) {
        assertEquals(path, GitCommandLine.parse(command).path());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "\t"})
    void noCommandIsRefused(String command) {
        assertRefused(command, "no command given");
    }

    private static final String SERVICES =
            "this server runs only git-upload-pack, git-receive-pack and theta-transfer";

    @Test
    void unknownCommandsAreRefusedNamingThem() {
        assertRefused("ls -la", "unknown command 'ls': " + SERVICES);
        assertRefused("git-upload-archive '/a/b.git'", "unknown command 'git-upload-archive': " + SERVICES);
        assertRefused("git status", "unknown command 'git-status': " + SERVICES);
    }

    @Test
    void controlCharactersInAnUnknownCommandAreNotEchoed() {
        assertRefused("evil\u001b[2J", "unknown command 'evil?[2J': " + SERVICES);
        String longVerb = "x".repeat(50) + "\r\u001b[2J" + "y".repeat(20);
        assertRefused(longVerb, "unknown command '" + "x".repeat(50) + "??[2Jyyyyy...': " + SERVICES);
    }

    @Test
    void missingPathIsRefused() {
        assertRefused("git-upload-pack", "git-upload-pack needs a repository path, for example '/OWNER/NAME.git'");
        assertRefused("git upload-pack  ", "git-upload-pack needs a repository path, for example '/OWNER/NAME.git'");
        assertRefused("git-receive-pack ''",
                "git-receive-pack needs a repository path, for example '/OWNER/NAME.git'");
    }

    @Test
    void twoPathsAreRefused() {
        assertRefused("git-upload-pack '/a/b.git' '/c/d.git'", "expected exactly one repository path");
        assertRefused("git-upload-pack /a/b.git /c/d.git", "expected exactly one repository path");
    }

    @Test
    void unterminatedQuoteIsRefused() {
        assertRefused("git-upload-pack '/a/b.git", "unterminated quote in repository path");
    }

    @Test
    void trailingBackslashIsRefused() {
        assertRefused("git-upload-pack /a/b.git\\", "trailing backslash in repository path");
    }

    @ParameterizedTest
    @ValueSource(strings = {";", "|", "&", "$", "`", "<", ">", "(", "*", "?", "~", "#", "\""})
    void unquotedShellMetacharactersAreRefused(String ch) {
        assertRefused("git-upload-pack /a/b.git" + ch + "x",
                "unexpected character '" + ch + "' in repository path");
    }

    @Test
    void commandChainingIsRefused() {
        assertRefused("git-upload-pack '/a/b.git';reboot", "unexpected character ';' in repository path");
        assertRefused("git-upload-pack '/a/b.git' && reboot", "expected exactly one repository path");
        assertRefused("git-upload-pack $(id)", "unexpected character '$' in repository path");
    }

    @Test
    void overlongCommandIsRefused() {
        String path = "'/" + "a".repeat(GitCommandLine.MAX_LENGTH) + "'";
        assertRefused("git-upload-pack " + path, "command longer than 4096 characters");
    }

    @Test
    void commandOfExactlyTheMaximumLengthIsAccepted() {
        String prefix = "git-upload-pack /";
        String command = prefix + "a".repeat(GitCommandLine.MAX_LENGTH - prefix.length());
        assertEquals(GitCommandLine.MAX_LENGTH, command.length());
        assertEquals(GitCommandLine.MAX_LENGTH - 16, GitCommandLine.parse(command).path().length());
    }
}
