package io.thetahost.server.admin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How admin commands reach a running daemon: a Unix socket in the data directory, readable by its owner only. The
 * tensor store is the daemon's while it runs (RocksDB takes one process at a time), so {@code thetahost fsck} and
 * {@code gc} ask the daemon to run them and print what it reports. One line in (the task's name), text lines out,
 * and a last line {@code exit N}.
 */
public final class AdminSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminSocket.class);

    private final Path path;
    private final ServerSocketChannel server;
    private final Map<String, AdminTask> tasks;
    private final Thread acceptor;

    public AdminSocket(Path path, Map<String, AdminTask> tasks) throws IOException {
        this.path = path;
        this.tasks = Map.copyOf(tasks);
        // A socket left by a daemon that was killed would make bind fail; nobody listens on it.
        Files.deleteIfExists(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        acceptor = new Thread(this::accept, "admin-socket");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                serve(client);
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("admin socket: {}", e.getMessage());
                }
            }
        }
    }

    /** One task at a time: they are rare, and each may hold the store busy for a while. */
    private void serve(SocketChannel client) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Channels.newOutputStream(client), true, StandardCharsets.UTF_8);
        String line = in.readLine();
        String[] words = line == null ? new String[0] : line.strip().split("\\s+");
        AdminTask task = words.length == 0 ? null : tasks.get(words[0]);
        if (task == null) {
            out.println("unknown admin task '" + (line == null ? "" : line.strip()) + "'; known: "
                    + String.join(", ", tasks.keySet()));
            out.println("exit 2");
            return;
        }
        int status;
        try {
            status = task.run(java.util.Arrays.copyOfRange(words, 1, words.length), out);
        } catch (IOException | RuntimeException e) {
            LOG.warn("admin task {} failed", words[0], e);
            out.println("error: " + e.getMessage());
            status = 1;
        }
        out.println("exit " + status);
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(path);
    }
}
