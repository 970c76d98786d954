package io.thetahost.http;

import io.thetahost.hooks.connections.ConnectionLimits;
import io.thetahost.http.connections.HttpConnectionGate;
import io.thetahost.http.api.JsonApi;
import io.thetahost.http.git.HttpGitContext;
import io.thetahost.http.git.SmartHttpHandler;
import io.thetahost.http.hub.HubApi;
import io.thetahost.http.raw.RawFiles;
import io.thetahost.http.read.ReadContext;
import io.thetahost.http.routing.BlockingWork;
import io.thetahost.http.routing.HttpRoutes;
import io.thetahost.http.web.WebPages;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The HTTP listener on Vert.x: git's smart HTTP protocol, and the read side (raw files, the Hugging Face API) for
 * people who download models without git.
 */
public final class HttpHost implements AutoCloseable {
    /** Largest request head (request line and headers) accepted; bigger ones get 431. */
    public static final int MAX_HEADER_BYTES = 16 * 1024;

    private final Vertx vertx;
    private final WorkerExecutor workers;
    private final HttpServer server;
    private final String listenAddress;
    private final int port;

    /** @param gitThreads how many git requests run at once; more wait for a thread */
    /** @param sshAuthority the SSH listener's {@code host:port}, for the clone commands the web UI shows */
    public HttpHost(String listenAddress, int port, HttpGitContext context, ReadContext read,
            Supplier<String> sshAuthority, int gitThreads, ConnectionLimits limits) {
        this.listenAddress = listenAddress;
        this.port = port;
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(4));
        // git requests may stream for many minutes: they are not "blocked" in the sense Vert.x warns about.
        workers = vertx.createSharedWorkerExecutor("git-http", gitThreads, 24, TimeUnit.HOURS);
        HttpConnectionGate gate = new HttpConnectionGate(vertx, limits);
        HttpServerOptions options = gate.configure(new HttpServerOptions())
                .setMaxHeaderSize(MAX_HEADER_BYTES)
                // Without h2c detection Vert.x sets a connection up as it opens, not when its first bytes arrive: the
                // connection handler, and so the limits, then see connections that never send anything.
                .setHttp2ClearTextEnabled(false)
                .setHandle100ContinueAutomatically(true)
                .setDecompressionSupported(false)
                .setCompressionSupported(false);
        server = vertx.createHttpServer(options)
                .connectionHandler(gate.connectionHandler())
                .requestHandler(gate.requestHandler(routes(context, read, sshAuthority)));
    }

    private HttpRoutes routes(HttpGitContext context, ReadContext read, Supplier<String> sshAuthority) {
        BlockingWork blocking = new BlockingWork(workers, context.active());
        return new HttpRoutes(new SmartHttpHandler(context, workers), new RawFiles(read, blocking),
                new HubApi(read, blocking), new JsonApi(read, blocking), new WebPages(read, blocking, sshAuthority));
    }

    public void start() throws InterruptedException, ExecutionException {
        server.listen(port, listenAddress).toCompletionStage().toCompletableFuture().get();
    }

    public InetSocketAddress boundAddress() {
        return new InetSocketAddress(listenAddress, server.actualPort());
    }

    /** Stops accepting connections and lets requests in flight end, for at most {@code grace}. */
    public void shutdown(Duration grace) throws InterruptedException {
        try {
            server.shutdown(grace).toCompletionStage().toCompletableFuture()
                    .get(grace.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            // Whatever is still open is closed by close().
        }
    }

    @Override
    public void close() throws Exception {
        workers.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
