package io.thetahost.server.admin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/** Asks a running daemon to run an admin task, and relays its report. */
public final class AdminClient {
    private AdminClient() {
    }

    /**
     * Runs the task in the daemon that owns {@code socket}.
     *
     * @return the task's exit status, or empty when no daemon listens there (the caller then runs it itself)
     */
    public static OptionalInt run(Path socket, String task, PrintStream out) throws IOException {
        if (!Files.exists(socket)) {
            return OptionalInt.empty();
        }
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (java.net.SocketException stale) {
            // A socket file left by a daemon that is gone.
            channel.close();
            return OptionalInt.empty();
        }
        try (channel) {
            PrintWriter request = new PrintWriter(Channels.newOutputStream(channel), true, StandardCharsets.UTF_8);
            request.println(task);
            BufferedReader reply = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                    StandardCharsets.UTF_8));
            for (String line; (line = reply.readLine()) != null; ) {
                if (line.startsWith("exit ")) {
                    return OptionalInt.of(Integer.parseInt(line.substring(5).strip()));
                }
                out.println(line);
            }
            throw new IOException("the daemon closed the admin socket before the task ended");
        }
    }
}
