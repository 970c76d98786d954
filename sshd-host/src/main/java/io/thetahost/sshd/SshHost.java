package io.thetahost.sshd;

import io.thetahost.hooks.access.UserDirectory;
import io.thetahost.hooks.connections.ConnectionLimits;
import io.thetahost.sshd.auth.UserKeyAuthenticator;
import io.thetahost.sshd.command.GitCommandFactory;
import io.thetahost.sshd.connections.SshConnectionGate;
import io.thetahost.sshd.command.NoShell;
import io.thetahost.sshd.command.SshGitContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * The SSH listener: public-key logins for known users, git's two services as exec requests, and nothing else (no
 * password, no shell, no forwarding, no subsystem).
 */
public final class SshHost implements AutoCloseable {
    /**
     * AES only, which the JVM runs on the CPU's AES instructions. MINA's chacha20-poly1305 is plain Java: OpenSSH
     * clients pick it first when offered, and a 256 MiB clone then took 5.6 s against 4.8 s with aes128-ctr (the
     * client's next choice) and 4.5 s over HTTP on the same machine.
     */
    private static final List<NamedFactory<Cipher>> CIPHERS = List.of(BuiltinCiphers.aes128gcm,
            BuiltinCiphers.aes256gcm, BuiltinCiphers.aes128ctr, BuiltinCiphers.aes192ctr, BuiltinCiphers.aes256ctr);

    private final Server server;

    /** {@link SshServer} with a way to stop accepting while open sessions finish. */
    private static final class Server extends SshServer {
        void stopAccepting() {
            if (acceptor != null) {
                acceptor.unbind();
            }
        }
    }

    /**
     * @param hostKey where the host key lives; it is generated on first start and reused after, so clients'
     *     known_hosts entries stay valid across restarts
     */
    public SshHost(String listenAddress, int port, Path hostKey, UserDirectory users, SshGitContext context,
            ConnectionLimits limits) {
        server = (Server) ServerBuilder.builder().factory(Server::new).build();
        server.setCipherFactories(CIPHERS);
        server.setHost(listenAddress);
        server.setPort(port);
        server.setKeyPairProvider(hostKeyProvider(hostKey));
        server.setPublickeyAuthenticator(new UserKeyAuthenticator(users));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setGSSAuthenticator(null);
        server.setHostBasedAuthenticator(null);
        server.setCommandFactory(new GitCommandFactory(context));
        server.setShellFactory(new NoShell());
        server.setSubsystemFactories(List.of());
        server.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        server.setAgentFactory(null);
        SshConnectionGate.install(server, limits);
    }

    /** Writes a new host key of the kind the host serves with to {@code file} (which must not exist). */
    public static void generateHostKey(Path file) throws IOException {
        hostKeyProvider(file).loadKeys(null);
    }

    private static SimpleGeneratorHostKeyProvider hostKeyProvider(Path hostKey) {
        SimpleGeneratorHostKeyProvider provider = new SimpleGeneratorHostKeyProvider(hostKey);
        provider.setAlgorithm(KeyUtils.EC_ALGORITHM);
        provider.setKeySize(256);
        provider.setStrictFilePermissions(true);
        return provider;
    }

    public void start() throws IOException {
        server.start();
    }

    /** The address really bound (the port is known only after start when 0 was asked for). */
    public InetSocketAddress boundAddress() {
        for (SocketAddress a : server.getBoundAddresses()) {
            if (a instanceof InetSocketAddress) {
                return (InetSocketAddress) a;
            }
        }
        throw new IllegalStateException("the SSH host is not listening");
    }

    /** Refuses new connections; sessions already open go on. */
    public void stopAccepting() {
        server.stopAccepting();
    }

    /**
     * Waits until the clients have closed their sessions, at most until {@code deadlineNanos} (a
     * {@link System#nanoTime()} value): a git client closes its session once it has read its command's exit status,
     * so waiting for that, rather than closing first, lets the last request's status reach it.
     */
    public void awaitSessionsClosed(long deadlineNanos) throws InterruptedException {
        while (!server.getActiveSessions().isEmpty() && System.nanoTime() < deadlineNanos) {
            Thread.sleep(20);
        }
    }

    /** Closes every session, letting what was already written (a last exit status) reach the clients first. */
    @Override
    public void close() throws IOException {
        server.stop(false);
    }
}
