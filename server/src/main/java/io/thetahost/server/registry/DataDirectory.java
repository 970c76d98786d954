package io.thetahost.server.registry;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The daemon's data directory, shared by {@code serve} and the admin commands:
 *
 * <pre>
 * DATA/repos/OWNER/NAME.git   bare repositories
 * DATA/users.config           users, their SSH keys and the hashes of their access tokens
 * DATA/ssh/                   the SSH host key
 * DATA/logs/requests.log      one line per git request
 * DATA/tensors/               the tensor store (RocksDB)
 * DATA/admin.sock             where admin commands reach a running daemon
 * </pre>
 */
public final class DataDirectory {
    private final Path root;

    private DataDirectory(Path root) {
        this.root = root;
    }

    /** Opens (creating if needed) a data directory. */
    public static DataDirectory open(Path root) throws IOException {
        Path abs = root.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new IOException(abs + " is not a directory");
        }
        Files.createDirectories(abs.resolve("repos"));
        Files.createDirectories(abs.resolve("ssh"));
        Files.createDirectories(abs.resolve("logs"));
        return new DataDirectory(abs);
    }

    public Path root() {
        return root;
    }

    public Path repositories() {
        return root.resolve("repos");
    }

    public Path usersFile() {
        return root.resolve("users.config");
    }

    public Path sshHostKey() {
        return root.resolve("ssh").resolve("ssh_host_ecdsa_key");
    }

    public Path requestLog() {
        return root.resolve("logs").resolve("requests.log");
    }

    public Path tensors() {
        return root.resolve("tensors");
    }

    /** The sha256 of files as downloaded over HTTP, kept once computed (a cache: deleting it loses nothing). */
    public Path fileDigests() {
        return root.resolve("cache").resolve("file-digests");
    }

    public Path adminSocket() {
        return root.resolve("admin.sock");
    }

    /**
     * Serializes admin changes across processes (several admin commands, and the daemon, may run at once). Readers
     * never need it: every file is replaced by an atomic rename.
     */
    public AdminLock lockForChange() throws IOException {
        FileChannel channel = FileChannel.open(root.resolve(".admin.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            return new AdminLock(channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Held while an admin command changes users or repositories. */
    public static final class AdminLock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private AdminLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
