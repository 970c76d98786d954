package io.thetahost.conformance.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.Repos;
import io.thetahost.conformance.support.SharedDaemon;
import io.thetahost.conformance.support.ThetahostServer;
import io.thetahost.conformance.support.Transport;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SSH listener with the OpenSSH client: key types, and everything that is not git refused. */
class SshAccessTest extends SharedDaemon {
    static final String REPO = "alice/ssh-model";

    @BeforeAll
    static void setUp() {
        Repos.seeded(server, alice, base, REPO);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ed25519", "ecdsa", "rsa"})
    void everyCommonKeyTypeLogsIn(String type) throws Exception {
        GitUser user = GitUser.create(server, base, "key-" + type, type);
        server.admin("repo", "grant", REPO, user.name(), "read").assertOk();
        Path dir = Files.createTempDirectory(base, type + "-");
        user.git(dir, "clone", user.url(Transport.SSH, REPO), "w").assertOk();
        assertTrue(Files.exists(dir.resolve("w/README.md")));
    }

    @Test
    void weakRsaKeysAreRefusedAndNothingChanges() throws Exception {
        Path key = base.resolve("weak/id_rsa");
        Files.createDirectories(key.getParent());
        GitUser.generateKey(key, "rsa1024");
        server.admin("user", "add", "weak").assertOk();
        String before = Files.readString(server.data().resolve("users.config"));
        Cmd.Result r = server.admin("user", "key", "add", "weak", key + ".pub");
        r.assertFailed();
        assertTrue(r.err().contains("RSA key of 1024 bits is too weak"), r.err());
        assertEquals(before, Files.readString(server.data().resolve("users.config")));
    }

    @Test
    void aKeyOfAnotherUserDoesNotOpenThisAccount() {
        GitUser bob = GitUser.create(server, base, "bob-impostor");
        Cmd.Result r = bob.sshAs("alice", "-o", "PreferredAuthentications=publickey", "127.0.0.1",
                "git-upload-pack '/" + REPO + ".git'").run();
        assertEquals(255, r.exit(), r.describe("login as alice with bob's key"));
        assertTrue(r.err().contains("Permission denied (publickey)"), r.err());
    }

    @Test
    void passwordsAreNotOffered() {
        Cmd.Result r = alice.ssh("-o", "PubkeyAuthentication=no", "-o",
                "PreferredAuthentications=password,keyboard-interactive", "127.0.0.1", "true").run();
        assertEquals(255, r.exit());
        assertTrue(r.err().contains("Permission denied (publickey)"), "only publickey is offered: " + r.err());
    }

    @Test
    void noShell() {
        Cmd.Result r = alice.ssh("-T", "127.0.0.1").run();
        assertEquals(1, r.exit(), r.describe("shell"));
        assertTrue(r.err().contains("does not provide shell access"), r.err());
    }

    @Test
    void noOtherCommands() {
        Cmd.Result r = alice.ssh("127.0.0.1", "ls -la /").run();
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("unknown command 'ls'"), r.err());
        Cmd.Result archive = alice.ssh("127.0.0.1", "git-upload-archive '/" + REPO + ".git'").run();
        assertNotEquals(0, archive.exit());
        assertTrue(archive.err().contains("unknown command 'git-upload-archive'"), archive.err());
    }

    @Test
    void noSubsystems() {
        Cmd.Result r = alice.ssh("-s", "127.0.0.1", "sftp").run();
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("subsystem request failed"), r.err());
    }

    @Test
    void noRemoteForwarding() {
        Cmd.Result r = alice.ssh("-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:22", "127.0.0.1")
                .timeout(Duration.ofSeconds(60)).run();
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("remote port forwarding failed"), r.err());
    }

    @Test
    void noLocalForwarding() throws Exception {
        int localPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            localPort = s.getLocalPort();
        }
        Path tunnelLog = base.resolve("tunnel.log");
        Process tunnel = alice.ssh("-N", "-v", "-L", localPort + ":127.0.0.1:" + server.httpPort(), "127.0.0.1")
                .builder().redirectErrorStream(true).redirectOutput(tunnelLog.toFile()).start();
        try {
            // Once the tunnel's local end listens, a connection through it must be refused by the server: ssh
            // closes or resets it, and no HTTP answer comes back.
            boolean connected = false;
            String reply = "";
            for (int i = 0; i < 100 && !connected; i++) {
                try (Socket s = new Socket("127.0.0.1", localPort)) {
                    connected = true;
                    s.setSoTimeout(20_000);
                    s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
                    reply = new String(s.getInputStream().readAllBytes());
                } catch (java.net.ConnectException e) {
                    Thread.sleep(100);
                } catch (java.net.SocketException reset) {
                    reply = "";
                }
            }
            assertTrue(connected, "the tunnel's local end never listened");
            assertEquals("", reply, "nothing comes back through a refused tunnel");
        } finally {
            tunnel.destroy();
            tunnel.waitFor(10, TimeUnit.SECONDS);
        }
        String log = Files.readString(tunnelLog);
        assertTrue(log.contains("administratively prohibited") || log.contains("open failed"), log);
    }

    @Test
    void theHostKeySurvivesARestart() throws Exception {
        Path data = base.resolve("restart-data");
        String before;
        String after;
        try (ThetahostServer first = ThetahostServer.start(data)) {
            before = hostKeys(first.sshPort());
        }
        try (ThetahostServer second = ThetahostServer.start(data)) {
            after = hostKeys(second.sshPort());
            GitUser carol = GitUser.create(second, base.resolve("restart-client"), "carol");
            second.admin("repo", "create", "carol/m").assertOk();
            // The alias pins one known_hosts entry whatever the port; strict checking proves the key is the same.
            Path known = carol.home().resolve("known_hosts");
            Files.writeString(known, "thetahost-test " + before + "\n");
            Cmd.Result r = Cmd.of("git", "ls-remote", carol.url(Transport.SSH, "carol/m")).env(carol.env())
                    .env("GIT_SSH_COMMAND", carol.sshCommand().replace("accept-new", "yes")).run();
            r.assertOk();
        }
        assertEquals(before, after);
    }

    /** The host keys the server offers, as "type base64" lines, read with ssh-keyscan. */
    private static String hostKeys(int port) {
        Cmd.Result r = Cmd.of("ssh-keyscan", "-p", String.valueOf(port), "127.0.0.1").run().assertOk();
        StringBuilder keys = new StringBuilder();
        for (String line : r.out().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] parts = line.split(" ");
                keys.append(parts[1]).append(' ').append(parts[2]);
            }
        }
        assertTrue(keys.length() > 0, "ssh-keyscan found a host key: " + r.all());
        return keys.toString();
    }
}
