package io.thetahost.conformance.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Curl;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.Repos;
import io.thetahost.conformance.support.SharedDaemon;
import io.thetahost.conformance.support.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hostile and broken input at the protocol boundary: each gets a clear error or a clean close, the daemon keeps
 * serving, and no repository is left with a half-applied push.
 */
class BadInputTest extends SharedDaemon {
    static final String REPO = "alice/target";
    static Path work;

    @BeforeAll
    static void setUp() {
        work = Repos.seeded(server, alice, base, REPO);
    }

    /** After every case: the daemon still serves a clone over both transports, and the repository is whole. */
    @AfterEach
    void stillServing() throws IOException {
        for (Transport t : Transport.values()) {
            Path dir = Files.createTempDirectory(base, "after-");
            alice.git(dir, "clone", "-q", alice.url(t, REPO), "w").assertOk();
        }
        Repos.assertServerIntact(server, REPO);
        assertPacksComplete();
    }

    /** Only finished packs with their indexes: no temporary pack of an interrupted push is left behind. */
    private static void assertPacksComplete() throws IOException {
        try (var files = Files.list(server.gitDir(REPO).resolve("objects/pack"))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                assertTrue(name.matches("pack-[0-9a-f]{40}\\.(pack|idx|rev|bitmap)"), "leftover " + name);
            }
        }
    }

    private static String lastLogLine() {
        List<String> log = server.requestLog();
        return log.get(log.size() - 1);
    }

    private static Cmd.Result sshWithInput(String command, byte[] stdin) {
        return alice.ssh("127.0.0.1", command).stdin(stdin).run();
    }

    @Test
    void garbageInsteadOfPktLinesOverSsh() {
        Cmd.Result r = sshWithInput("git-upload-pack '/" + REPO + ".git'", "zzzz this is not git\n".getBytes());
        assertNotEquals(0, r.exit());
        assertTrue(r.all().contains("ERR protocol error: pkt-line length is not hexadecimal: 'zzzz'"), r.all());
        assertTrue(lastLogLine().contains("result=error"), lastLogLine());
    }

    @Test
    void oversizedPktLineOverSsh() {
        byte[] input = ("ffff" + "a".repeat(200)).getBytes(StandardCharsets.US_ASCII);
        Cmd.Result r = sshWithInput("git-upload-pack '/" + REPO + ".git'", input);
        assertNotEquals(0, r.exit());
        assertTrue(r.all().contains("ERR protocol error: invalid pkt-line length 65535"), r.all());
    }

    @Test
    void requestCutShortOverSsh() {
        Cmd.Result r = sshWithInput("git-upload-pack '/" + REPO + ".git'", "0032want 0123".getBytes());
        assertNotEquals(0, r.exit());
        assertTrue(r.all().contains("ERR protocol error: pkt-line cut short"), r.all());
    }

    @Test
    void garbageBodyOverHttp() {
        Curl.Response r = Curl.run("-u", "alice:" + alice.token(), "-H",
                "Content-Type: application/x-git-upload-pack-request", "--data-binary", "zzzz not git",
                "http://127.0.0.1:" + server.httpPort() + "/" + REPO + ".git/git-upload-pack");
        assertTrue(r.body().contains("ERR protocol error: pkt-line length is not hexadecimal: 'zzzz'"),
                r.status() + " " + r.body());
    }

    @Test
    void gzipBombIsStoppedAtTheBound() throws Exception {
        // A want, then 100 MB of haves without a flush, compressed to a few hundred kilobytes.
        String head = Repos.serverRef(server, REPO, "refs/heads/main");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(pkt("want " + head + " multi_ack_detailed side-band-64k\n"));
            z.write("0000".getBytes());
            byte[] have = pkt("have " + "1".repeat(40) + "\n");
            for (int i = 0; i < 100_000_000 / have.length; i++) {
                z.write(have);
            }
        }
        Path body = base.resolve("bomb.gz");
        Files.write(body, gz.toByteArray());
        Curl.Response r = Curl.run("-u", "alice:" + alice.token(),
                "-H", "Content-Type: application/x-git-upload-pack-request", "-H", "Content-Encoding: gzip",
                "--data-binary", "@" + body, "http://127.0.0.1:" + server.httpPort() + "/" + REPO
                        + ".git/git-upload-pack");
        assertTrue(r.body().contains("fetch request too large"), r.status() + " " + r.body());
    }

    /** A real push: its command lines and its pack, built by git from a new commit on main. */
    record Push(String oldId, String newId, byte[] commands, byte[] pack) {
        byte[] cutShort() {
            return concat(commands, Arrays.copyOf(pack, pack.length / 2));
        }
    }

    private static Push preparePush() throws IOException {
        alice.git(work, "fetch", "-q", alice.url(Transport.SSH, REPO), "main").assertOk();
        alice.git(work, "reset", "-q", "--hard", "FETCH_HEAD").assertOk();
        String old = Repos.head(alice, work);
        byte[] weights = new byte[400_000];
        new Random().nextBytes(weights);
        Files.write(work.resolve("weights.bin"), weights);
        alice.git(work, "add", "weights.bin").assertOk();
        alice.git(work, "commit", "-q", "-m", "weights").assertOk();
        String now = Repos.head(alice, work);
        Path packs = Files.createTempDirectory(base, "pack-");
        String name = Cmd.of("git", "pack-objects", "-q", "--revs", packs.resolve("p").toString()).in(work)
                .env(alice.env()).stdin(now + "\n^" + old + "\n").run().assertOk().out().strip();
        byte[] pack = Files.readAllBytes(packs.resolve("p-" + name + ".pack"));
        byte[] commands = concat(pkt(old + " " + now + " refs/heads/main\0report-status\n"), "0000".getBytes());
        alice.git(work, "reset", "-q", "--hard", "HEAD~1").assertOk();
        return new Push(old, now, commands, pack);
    }

    @Test
    void packCutShortOverSsh() throws Exception {
        Push push = preparePush();
        Cmd.Result r = sshWithInput("git-receive-pack '/" + REPO + ".git'", push.cutShort());
        assertTrue(r.all().contains("unpack"), "the client is told the pack did not unpack: " + r.all());
        assertEquals(push.oldId(), Repos.serverRef(server, REPO, "refs/heads/main"));
        assertTrue(Cmd.of("git", "--git-dir", server.gitDir(REPO).toString(), "cat-file", "-e", push.newId())
                .run().exit() != 0, "the commit of the broken push is not in the repository");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void clientDisconnectsHalfwayThroughAPush(Transport transport) throws Exception {
        Push push = preparePush();
        byte[] partial = push.cutShort();
        if (transport == Transport.SSH) {
            // After the advertisement, as git sends: the daemon is serving the push before half of it arrives.
            Process p = alice.startSshService("git-receive-pack", REPO);
            p.getOutputStream().write(partial);
            p.getOutputStream().flush();
            Thread.sleep(500);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } else {
            try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
                OutputStream out = s.getOutputStream();
                String auth = Base64.getEncoder().encodeToString(("alice:" + alice.token()).getBytes());
                out.write(("POST /" + REPO + ".git/git-receive-pack HTTP/1.1\r\n"
                        + "Host: 127.0.0.1\r\nAuthorization: Basic " + auth + "\r\n"
                        + "Content-Type: application/x-git-receive-pack-request\r\n"
                        + "Content-Length: " + (push.commands().length + push.pack().length) + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(partial);
                out.flush();
                Thread.sleep(500);
            }
        }
        // The daemon notices on its own time; the request log says when it has.
        for (int i = 0; i < 100 && !lastLogLine().contains("service=git-receive-pack"); i++) {
            Thread.sleep(100);
        }
        assertTrue(lastLogLine().contains("result=error"), lastLogLine());
        assertEquals(push.oldId(), Repos.serverRef(server, REPO, "refs/heads/main"));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void clientVanishesDuringAClone(Transport transport) throws Exception {
        String repo = "alice/big-" + transport.name().toLowerCase();
        Path src = Repos.seeded(server, alice, base, repo);
        byte[] blob = new byte[30 << 20];
        new Random(3).nextBytes(blob);
        Files.write(src.resolve("big.bin"), blob);
        alice.git(src, "add", "big.bin").assertOk();
        alice.git(src, "commit", "-q", "-m", "big").assertOk();
        alice.git(src, "push", "-q", alice.url(Transport.SSH, repo), "main").assertOk();
        Path dir = Files.createTempDirectory(base, "vanish-");
        Process clone = Cmd.of("git", "clone", "--progress", alice.url(transport, repo), "w").in(dir)
                .env(alice.env()).builder().redirectErrorStream(true).start();
        // Wait until objects are flowing, then pull the plug.
        byte[] buf = new byte[4096];
        int seen = 0;
        while (seen < 2000) {
            int n = clone.getInputStream().read(buf);
            if (n < 0) {
                break;
            }
            seen += n;
        }
        clone.descendants().forEach(ProcessHandle::destroyForcibly);
        clone.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Path again = Files.createTempDirectory(base, "vanish-again-");
        alice.git(again, "clone", "-q", alice.url(transport, repo), "w").assertOk();
        assertEquals(blob.length, Files.size(again.resolve("w/big.bin")));
    }

    static byte[] pkt(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return concat(String.format("%04x", b.length + 4).getBytes(StandardCharsets.US_ASCII), b);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
