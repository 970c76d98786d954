package io.thetahost.server.cli;

import io.thetahost.hooks.connections.ConnectionLimits;
import io.thetahost.server.daemon.Daemon;
import io.thetahost.server.daemon.DaemonSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code thetahost serve}: runs the daemon until SIGTERM or SIGINT, then drains and exits 0. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the repositories in DIR over SSH and HTTP.")
public final class ServeCommand implements Callable<Integer> {
    @Mixin
    HostOptions data;

    @Option(names = "--listen", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address both listeners bind to. Default: ${DEFAULT-VALUE}")
    String listen;

    @Option(names = "--ssh-port", paramLabel = "N", defaultValue = "2222",
            description = "SSH port; 0 picks a free one. Default: ${DEFAULT-VALUE}")
    int sshPort;

    @Option(names = "--http-port", paramLabel = "N", defaultValue = "8080",
            description = "HTTP port; 0 picks a free one. Default: ${DEFAULT-VALUE}")
    int httpPort;

    @Option(names = "--grace-period", paramLabel = "SECONDS", defaultValue = "30",
            description = "On SIGTERM, how long requests in flight may take to finish. Default: ${DEFAULT-VALUE}")
    int graceSeconds;

    @Option(names = "--git-threads", paramLabel = "N", defaultValue = "32",
            description = "Git requests served at once per transport. Default: ${DEFAULT-VALUE}")
    int gitThreads;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "1000",
            description = "Connections open at once per transport (lowered to fit the process's file limit)."
                    + " Default: ${DEFAULT-VALUE}")
    int maxConnections;

    @Option(names = "--max-connections-per-address", paramLabel = "N", defaultValue = "100",
            description = "Connections open at once from one source address, per transport. Default: ${DEFAULT-VALUE}")
    int maxPerAddress;

    @Option(names = "--max-unauthenticated", paramLabel = "N", defaultValue = "200",
            description = "Connections per transport that have not logged in (SSH) or are between requests (HTTP);"
                    + " past it the oldest is closed. Default: ${DEFAULT-VALUE}")
    int maxUnproven;

    @Option(names = "--login-timeout", paramLabel = "SECONDS", defaultValue = "20",
            description = "How long a connection may take to log in (SSH) or send its first request head (HTTP)."
                    + " Default: ${DEFAULT-VALUE}")
    int loginTimeoutSeconds;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "A connection that sends and receives nothing this long is closed. Default: ${DEFAULT-VALUE}")
    int idleTimeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (gitThreads < 1 || graceSeconds < 0 || sshPort < 0 || sshPort > 65535 || httpPort < 0
                || httpPort > 65535) {
            throw new IllegalArgumentException("ports must be 0-65535, --git-threads at least 1, --grace-period >= 0");
        }
        if (maxConnections < 1 || maxPerAddress < 1 || maxUnproven < 1 || loginTimeoutSeconds < 1
                || idleTimeoutSeconds < 1) {
            throw new IllegalArgumentException("--max-connections, --max-connections-per-address,"
                    + " --max-unauthenticated, --login-timeout and --idle-timeout must be at least 1");
        }
        ConnectionLimits connections = new ConnectionLimits(maxConnections, maxPerAddress, maxUnproven,
                Duration.ofSeconds(loginTimeoutSeconds), Duration.ofSeconds(idleTimeoutSeconds));
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        DaemonSettings settings = new DaemonSettings(listen, sshPort, httpPort, Duration.ofSeconds(graceSeconds),
                gitThreads, 64L << 20, connections);
        try (Daemon daemon = new Daemon(data.open(), settings)) {
            daemon.start();
            System.out.println("ssh listening on " + hostPort(daemon.sshAddress()));
            System.out.println("http listening on " + hostPort(daemon.httpAddress()));
            System.out.flush();
            stop.await();
            System.err.println("shutting down: requests in flight have " + graceSeconds + "s to finish");
            daemon.shutdownGracefully();
        }
        return 0;
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }
}
