package io.thetahost.server.daemon;

import io.thetahost.hooks.connections.ConnectionLimits;
import io.thetahost.hooks.memory.MemoryBudget;
import io.thetahost.hooks.receive.CheckLimits;
import io.thetahost.hooks.receive.PushChecks;
import io.thetahost.hooks.transport.ActiveRequests;
import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.hooks.transfer.TransferService;
import io.thetahost.hooks.transport.GitServices;
import io.thetahost.objectdb.TensorStore;
import io.thetahost.protocol.transfer.TransferLimits;
import io.thetahost.http.HttpHost;
import io.thetahost.http.git.HttpGitContext;
import io.thetahost.http.compare.DifferenceCache;
import io.thetahost.http.read.FileDigests;
import io.thetahost.http.read.ReadAccess;
import io.thetahost.http.read.ReadContext;
import io.thetahost.server.admin.AdminSocket;
import io.thetahost.server.maintenance.GcArguments;
import io.thetahost.server.maintenance.StoreMaintenance;
import io.thetahost.server.registry.DataDirectory;
import io.thetahost.server.registry.HostedRepositories;
import io.thetahost.server.registry.UserAccounts;
import io.thetahost.server.state.HostState;
import io.thetahost.sshd.SshHost;
import io.thetahost.sshd.command.SshGitContext;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running thetahost: both listeners over one data directory. */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final DaemonSettings settings;
    private final ActiveRequests active = new ActiveRequests();
    private final RequestLogFile requestLog;
    private final ExecutorService sshGitThreads;
    private final SshHost ssh;
    private final HttpHost http;
    private final HostState state;
    private final TensorStore store;
    private final AdminSocket admin;

    /** Serves {@code state}, which it closes when it closes. */
    public Daemon(HostState state, DaemonSettings settings) throws Exception {
        this.settings = settings;
        this.state = state;
        DataDirectory data = state.data();
        UserAccounts users = state.users();
        HostedRepositories repositories = state.repositories();
        requestLog = new RequestLogFile(data.requestLog());
        store = state.openTensors();
        GitServices services =
                new GitServices(new PushChecks(store, CheckLimits.forThisHeap()), settings.maxFetchSectionBytes());
        TransferService transfers = new TransferService(store, TransferLimits.DEFAULTS, EncoderOptions.defaults(),
                transferMemory(EncoderOptions.defaults()));
        StoreMaintenance maintenance = new StoreMaintenance(store, repositories);
        admin = new AdminSocket(data.adminSocket(), Map.of(
                "fsck", (args, out) -> maintenance.fsck(out),
                "gc", (args, out) -> maintenance.gc(GcArguments.parse(args), out),
                "stats", (args, out) -> stats(out)));
        ConnectionLimits connections = DescriptorBudget.fit(settings.connections());
        sshGitThreads = Executors.newFixedThreadPool(settings.gitThreads(), named("git-ssh"));
        ssh = new SshHost(settings.listenAddress(), settings.sshPort(), state.sshHostKey(), users,
                new SshGitContext(repositories, services, requestLog, active, sshGitThreads, transfers), connections);
        http = new HttpHost(settings.listenAddress(), settings.httpPort(),
                new HttpGitContext(users, repositories, services, requestLog, active, transfers),
                readContext(data, users, repositories), this::sshAuthority, settings.gitThreads(), connections);
    }

    private String sshAuthority() {
        InetSocketAddress a = ssh.boundAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    /** The read side's: manifests read under the push checks' limits, with a budget of their own. */
    private ReadContext readContext(DataDirectory data, UserAccounts users, HostedRepositories repositories) {
        CheckLimits limits = CheckLimits.forThisHeap();
        return new ReadContext(new ReadAccess(users, repositories), store, new FileDigests(data.fileDigests()),
                limits, new MemoryBudget("manifests read over HTTP", limits.maxManifestBytes()), new DifferenceCache());
    }

    /** What {@code thetahost stats} prints: figures for benchmarks, one per line. */
    private int stats(java.io.PrintWriter out) {
        state.databaseRoundTrips().ifPresent(n -> out.println("database round trips: " + n));
        out.println("heap used: " + (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory() >> 20)
                + " MiB of " + (Runtime.getRuntime().maxMemory() >> 20));
        out.flush();
        return 0;
    }

    public void start() throws Exception {
        ssh.start();
        http.start();
    }

    public InetSocketAddress sshAddress() {
        return ssh.boundAddress();
    }

    public InetSocketAddress httpAddress() {
        return http.boundAddress();
    }

    /**
     * Stops taking connections, lets the requests in flight finish within the grace period, then stops.
     *
     * @return how many requests were cut off because the grace period ran out
     */
    public int shutdownGracefully() throws InterruptedException {
        long deadline = System.nanoTime() + settings.gracePeriod().toNanos();
        ssh.stopAccepting();
        Thread httpDrain = new Thread(() -> {
            try {
                http.shutdown(settings.gracePeriod());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "http-shutdown");
        httpDrain.start();
        int left = active.drain(settings.gracePeriod());
        ssh.awaitSessionsClosed(deadline);
        httpDrain.join(settings.gracePeriod().toMillis() + 2000);
        if (left > 0) {
            LOG.warn("{} request(s) still running after the grace period of {}; cutting them off", left,
                    settings.gracePeriod());
        }
        return left;
    }

    @Override
    public void close() throws Exception {
        try {
            ssh.close();
        } finally {
            try {
                http.close();
            } finally {
                sshGitThreads.shutdownNow();
                admin.close();
                store.close();
                requestLog.close();
                state.close();
            }
        }
    }

    /**
     * Half the heap for tensor transfers' decoding and encoding buffers, at least one transfer's worth; the rest is
     * for git (JGit's caches, packs being received), the push checks' own budget and the connections.
     */
    private static MemoryBudget transferMemory(EncoderOptions options) {
        long one = TransferService.workingBytes(options);
        long budget = Math.max(one, Runtime.getRuntime().maxMemory() / 2);
        LOG.info("tensor transfers decode and encode in at most {} MiB at once ({} at a time)", budget >> 20,
                budget / one);
        return new MemoryBudget("a tensor transfer", budget);
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
