package io.thetahost.http;

import io.thetahost.http.git.HttpGitContext;
import io.thetahost.http.git.SmartHttpHandler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** The HTTP listener: git's smart HTTP protocol on Vert.x. */
public final class HttpHost implements AutoCloseable {
    /** Largest request head (request line and headers) accepted; bigger ones get 431. */
    public static final int MAX_HEADER_BYTES = 16 * 1024;
    /** A connection that sends and receives nothing this long is closed. */
    public static final int IDLE_TIMEOUT_SECONDS = 600;

    private final Vertx vertx;
    private final WorkerExecutor workers;
    private final HttpServer server;
    private final String listenAddress;
    private final int port;

    /** @param gitThreads how many git requests run at once; more wait for a thread */
    public HttpHost(String listenAddress, int port, HttpGitContext context, int gitThreads) {
        this.listenAddress = listenAddress;
        this.port = port;
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(4));
        // git requests may stream for many minutes: they are not "blocked" in the sense Vert.x warns about.
        workers = vertx.createSharedWorkerExecutor("git-http", gitThreads, 24, TimeUnit.HOURS);
        HttpServerOptions options = new HttpServerOptions()
                .setMaxHeaderSize(MAX_HEADER_BYTES)
                .setIdleTimeout(IDLE_TIMEOUT_SECONDS)
                .setHandle100ContinueAutomatically(true)
                .setDecompressionSupported(false)
                .setCompressionSupported(false);
        server = vertx.createHttpServer(options).requestHandler(new SmartHttpHandler(context, workers));
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
