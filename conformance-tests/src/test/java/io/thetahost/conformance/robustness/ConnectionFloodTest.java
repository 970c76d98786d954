package io.thetahost.conformance.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.GitUser;
import io.thetahost.conformance.support.Repos;
import io.thetahost.conformance.support.ThetahostServer;
import io.thetahost.conformance.support.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One address floods both ports with connections that never log in, some idle, some stopped half way through a
 * request line or an SSH version line; a few more addresses add unproven connections past the daemon's limit. Real
 * clients on 127.0.0.1 must still clone over SSH and HTTP, the flood must be closed within the login timeout, and the
 * daemon's open descriptors must stay bounded.
 */
@Timeout(300)
class ConnectionFloodTest {
    private static final int LOGIN_TIMEOUT_SECONDS = 3;
    private static final int PER_ADDRESS = 40;
    private static final int MAX_UNAUTHENTICATED = 60;
    /** Connections the main flooding address opens on each port, well past its limit. */
    private static final int FLOOD = 150;
    /** Addresses beside it that stay within the per-address limit but together pass the unauthenticated one. */
    private static final int HELPERS = 2;
    private static final int PER_HELPER = 30;

    @TempDir
    Path base;

    @Test
    void clonesGoThroughAFloodOfIdleAndHalfOpenConnections() throws Exception {
        try (ThetahostServer server = ThetahostServer.start(base.resolve("data"),
                "--login-timeout", String.valueOf(LOGIN_TIMEOUT_SECONDS),
                "--max-connections-per-address", String.valueOf(PER_ADDRESS),
                "--max-unauthenticated", String.valueOf(MAX_UNAUTHENTICATED))) {
            GitUser alice = GitUser.create(server, base, "alice");
            Repos.seeded(server, alice, base, "alice/m");
            long before = clone(alice, Transport.SSH, "calm-ssh") + clone(alice, Transport.HTTP, "calm-http");
            int descriptorsBefore = descriptors(server);

            List<Socket> flood = new ArrayList<>();
            try {
                for (int port : new int[] {server.sshPort(), server.httpPort()}) {
                    boolean http = port == server.httpPort();
                    flood.addAll(open("127.0.0.2", port, FLOOD, http));
                    for (int h = 0; h < HELPERS; h++) {
                        flood.addAll(open("127.0.0." + (h + 3), port, PER_HELPER, http));
                    }
                }
                long t0 = System.nanoTime();
                long during = clone(alice, Transport.SSH, "flood-ssh") + clone(alice, Transport.HTTP, "flood-http");
                int descriptorsDuring = descriptors(server);
                System.out.printf("clones over SSH and HTTP: %d ms before the flood, %d ms during it;"
                        + " daemon descriptors %d before, %d during%n", before, during, descriptorsBefore,
                        descriptorsDuring);
                int bound = 2 * (PER_ADDRESS + HELPERS * PER_HELPER) + 40;
                assertTrue(descriptorsDuring <= descriptorsBefore + bound, "the daemon held " + descriptorsDuring
                        + " descriptors during the flood, " + descriptorsBefore + " before; at most " + bound
                        + " more were expected");

                long closedWithin = awaitAllClosed(flood, LOGIN_TIMEOUT_SECONDS * 1000L + 8000);
                System.out.printf("every flood connection was closed by the daemon %d ms after the flood began%n",
                        (System.nanoTime() - t0) / 1_000_000);
                assertTrue(closedWithin >= 0, "a flood connection was still open "
                        + (LOGIN_TIMEOUT_SECONDS + 8) + " s after it stopped sending");
            } finally {
                for (Socket s : flood) {
                    s.close();
                }
            }
            assertTrue(descriptors(server) <= descriptorsBefore + 10, "descriptors went back down");
            String log = server.stderr();
            for (String transport : List.of("ssh", "http")) {
                long lines = log.lines().filter(l -> l.contains(transport + ": refused a connection")
                        && l.contains("from 127.0.0.2")).count();
                assertEquals(1, lines, "one line per address and minute for " + transport + ":\n" + log);
            }
            assertTrue(log.contains("closed a connection that had not logged in"), "room was made by shedding:\n"
                    + log);
            assertTrue(clone(alice, Transport.HTTP, "after") >= 0, "the daemon still serves");
        }
    }

    /** Clones and returns the milliseconds it took; fails if the clone fails or takes over a minute. */
    private long clone(GitUser user, Transport transport, String dir) {
        long t0 = System.nanoTime();
        Cmd.Result r = Cmd.of("git", "clone", "-q", user.url(transport, "alice/m"), dir).in(base).env(user.env())
                .timeout(java.time.Duration.ofMinutes(1)).run();
        r.assertOk();
        assertTrue(Files.exists(base.resolve(dir).resolve("README.md")), "the clone has the file");
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * Opens {@code count} connections from {@code from}; every other one sends part of a first line and stops. A
     * refused connection is accepted by the kernel and closed by the daemon, which the wait below sees too.
     */
    private static List<Socket> open(String from, int port, int count, boolean http) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket s = new Socket();
            sockets.add(s);
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            if (i % 2 == 1) {
                s.getOutputStream().write((http ? "GET /alice/m.git/info/refs HTT" : "SSH-2.0-flo")
                        .getBytes(StandardCharsets.US_ASCII));
            }
        }
        return sockets;
    }

    /** @return milliseconds until the daemon had closed every socket, or -1 if some were open at the deadline */
    private static long awaitAllClosed(List<Socket> sockets, long deadlineMillis) throws IOException {
        long t0 = System.nanoTime();
        byte[] buffer = new byte[4096];
        for (Socket s : sockets) {
            s.setSoTimeout(50);
            InputStream in = s.getInputStream();
            while (true) {
                try {
                    if (in.read(buffer) < 0) {
                        break;
                    }
                } catch (SocketTimeoutException e) {
                    if ((System.nanoTime() - t0) / 1_000_000 > deadlineMillis) {
                        return -1;
                    }
                } catch (IOException reset) {
                    break;
                }
            }
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static int descriptors(ThetahostServer server) throws IOException {
        try (var fds = Files.list(Path.of("/proc/" + server.pid() + "/fd"))) {
            return (int) fds.count();
        }
    }
}
