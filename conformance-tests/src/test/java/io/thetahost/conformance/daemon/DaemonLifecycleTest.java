package io.thetahost.conformance.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.Repos;
import io.thetahost.conformance.support.ThetahostServer;
import io.thetahost.conformance.support.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Stopping the daemon: SIGTERM lets requests in flight finish within the grace period, then it exits 0. */
@Timeout(300)
class DaemonLifecycleTest {
    @TempDir
    Path base;

    /** Reads an HTTP response head, up to its empty line. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertTrue(b >= 0, "the connection ended after " + head);
            head.append((char) b);
        }
        return head.toString();
    }

    @Test
    void sigtermDrainsRequestsInFlightThenExitsZero() throws Exception {
        try (ThetahostServer server = ThetahostServer.start(base.resolve("data"))) {
            GitUser alice = GitUser.create(server, base, "alice");
            Repos.seeded(server, alice, base, "alice/m");

            // An HTTP request in flight: the head and half of a chunked body. It counts as in flight once the daemon
            // has its head, which the 100 Continue it asks for (as git does for large requests) shows: on CI's busy
            // machine a head sent a second or more before SIGTERM had not been taken up yet.
            Socket http = new Socket("127.0.0.1", server.httpPort());
            OutputStream httpOut = http.getOutputStream();
            InputStream httpIn = http.getInputStream();
            String auth = Base64.getEncoder().encodeToString(("alice:" + alice.token()).getBytes());
            httpOut.write(("POST /alice/m.git/git-upload-pack HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Basic " + auth + "\r\nGit-Protocol: version=2\r\nExpect: 100-continue\r\n"
                    + "Content-Type: application/x-git-upload-pack-request\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes());
            httpOut.flush();
            String interim = readHead(httpIn);
            assertTrue(interim.startsWith("HTTP/1.1 100"), interim);
            String first = "0014command=ls-refs\n0001";
            httpOut.write((Integer.toHexString(first.length()) + "\r\n" + first + "\r\n").getBytes());
            httpOut.flush();
            Process ssh = alice.startSshService("git-upload-pack", "alice/m");

            server.terminate();
            Thread.sleep(1500);
            assertTrue(server.process().isAlive(), "the daemon waits for the requests in flight");
            Cmd.Result refused = alice.git(base, "ls-remote", alice.url(Transport.SSH, "alice/m"));
            refused.assertFailed();
            assertTrue(refused.err().contains("Connection refused"), "no new connections: " + refused.err());

            httpOut.write("4\r\n0000\r\n0\r\n\r\n".getBytes());
            httpOut.flush();
            String answer = new String(httpIn.readNBytes(200), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            http.close();

            ssh.getOutputStream().write("0000".getBytes());
            ssh.getOutputStream().close();
            assertTrue(ssh.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, ssh.exitValue(), "the SSH request in flight finished normally");

            assertEquals(0, server.awaitExit(Duration.ofSeconds(30)), server.stderr());
            assertTrue(server.requestLog().stream().anyMatch(l -> l.contains("transport=ssh")
                    && l.contains("repo=alice/m") && l.contains("result=ok")));
        }
    }

    @Test
    void aRequestThatOutlivesTheGracePeriodIsCutOff() throws Exception {
        try (ThetahostServer server = ThetahostServer.start(base.resolve("data"), "--grace-period", "2")) {
            GitUser alice = GitUser.create(server, base, "alice");
            Repos.seeded(server, alice, base, "alice/m");
            Process ssh = alice.startSshService("git-upload-pack", "alice/m");
            long start = System.nanoTime();
            server.terminate();
            assertEquals(0, server.awaitExit(Duration.ofSeconds(60)), server.stderr());
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue(seconds >= 2, "it waited the grace period: " + seconds + " s");
            assertTrue(ssh.waitFor(30, TimeUnit.SECONDS), "the client was disconnected");
            assertEquals(255, ssh.exitValue(), "ssh reports the lost connection");
            assertTrue(server.stderr().contains("still running after the grace period"), server.stderr());
        }
    }
}
