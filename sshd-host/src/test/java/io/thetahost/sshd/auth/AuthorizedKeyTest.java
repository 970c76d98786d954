package io.thetahost.sshd.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Keys made by the real ssh-keygen. */
class AuthorizedKeyTest {
    @TempDir
    static Path keys;

    @BeforeAll
    static void generateKeys() throws Exception {
        keygen("ed25519", "-t", "ed25519");
        keygen("ed25519-other", "-t", "ed25519");
        keygen("ecdsa", "-t", "ecdsa", "-b", "256");
        keygen("rsa2048", "-t", "rsa", "-b", "2048");
        keygen("rsa1024", "-t", "rsa", "-b", "1024");
    }

    private static void keygen(String name, String... type) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-N", "", "-C",
                name + "@laptop", "-f", keys.resolve(name).toString()));
        command.addAll(List.of(type));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ssh-keygen did not finish");
        assertEquals(0, p.exitValue(), "ssh-keygen failed: " + output);
    }

    private static String publicLine(String name) throws IOException {
        return Files.readString(keys.resolve(name + ".pub")).strip();
    }

    private static void assertRefused(String input, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AuthorizedKey.parse(input));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "ecdsa", "rsa2048"})
    void acceptedKeyKeepsItsComment(String name) throws IOException {
        String line = publicLine(name);
        AuthorizedKey key = AuthorizedKey.parse(line + "\n");
        assertEquals(line, key.line());
        assertTrue(key.line().endsWith(" " + name + "@laptop"));
        assertTrue(key.fingerprint().startsWith("SHA256:"), key.fingerprint());
    }

    @Test
    void lineIsNormalizedAroundTheComment() throws IOException {
        String[] parts = publicLine("ed25519").split(" ", 3);
        AuthorizedKey key = AuthorizedKey.parse("  " + parts[0] + " " + parts[1] + "   my laptop key  \n");
        assertEquals(parts[0] + " " + parts[1] + " my laptop key", key.line());
    }

    @Test
    void keyWithoutCommentHasNone() throws IOException {
        String[] parts = publicLine("ecdsa").split(" ", 3);
        assertEquals(parts[0] + " " + parts[1], AuthorizedKey.parse(parts[0] + " " + parts[1]).line());
    }

    @Test
    void rsa1024IsTooWeak() throws IOException {
        assertRefused(publicLine("rsa1024"), "RSA key of 1024 bits is too weak; at least 2048 bits are required");
    }

    @Test
    void dsaIsRefused() throws Exception {
        // OpenSSH 10 no longer makes DSA keys; then there is nothing to check.
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "dsa", "-N", "", "-f", keys.resolve("dsa").toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Assumptions.assumeTrue(p.exitValue() == 0, "this ssh-keygen cannot make DSA keys");
        assertRefused(publicLine("dsa"), "DSA keys are not accepted; use ed25519, ecdsa or RSA of at least 2048 bits");
    }

    @Test
    void privateKeyFileIsRefusedWithAHint() throws IOException {
        String hint = "this looks like a private key; give the public key (the .pub file) instead";
        assertRefused(Files.readString(keys.resolve("ed25519")), hint);
        assertRefused(Files.readAllLines(keys.resolve("rsa2048")).get(0), hint);
    }

    @Test
    void garbageIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AuthorizedKey.parse("ssh-ed25519 not-base64!!! me@host"));
        assertTrue(e.getMessage().startsWith("not a valid OpenSSH public key: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AuthorizedKey.parse("hello world"));
        assertTrue(e.getMessage().startsWith("not a valid OpenSSH public key: "), e.getMessage());
    }

    @Test
    void emptyInputIsRefused() {
        assertRefused("  \n", "no public key found: expected a line like 'ssh-ed25519 AAAA... comment'");
    }

    @Test
    void twoKeysAreRefused() throws IOException {
        assertRefused(publicLine("ed25519") + "\n" + publicLine("ecdsa"), "found 2 lines of keys; give exactly one public key");
    }

    @Test
    void matchesTheSameKeyOnly() throws IOException {
        AuthorizedKey key = AuthorizedKey.parse(publicLine("ed25519"));
        assertTrue(key.matches(AuthorizedKey.parse(publicLine("ed25519")).key()));
        assertFalse(key.matches(AuthorizedKey.parse(publicLine("ed25519-other")).key()));
        assertFalse(key.matches(AuthorizedKey.parse(publicLine("rsa2048")).key()));
    }
}
