package io.thetahost.client.remote;

import io.thetahost.protocol.io.CountingInputStream;
import io.thetahost.protocol.io.CountingOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One POST whose body is written as the caller goes (through a bounded pipe the HTTP client reads) and whose response
 * is read as it arrives. A broken connection surfaces as {@link ConnectionLostException} on whichever side is blocked:
 * the pipe is closed when the exchange fails, and a watchdog ends an exchange that moves no byte either way for
 * {@link #STALL_TIMEOUT} (a server gone without closing its connection, which TCP would notice only after minutes).
 */
final class HttpExchange implements Exchange {
    /** The pipe between the caller and the HTTP client: the request bytes in memory at once. */
    private static final int PIPE_BYTES = 1 << 20;
    /**
     * The longest a live server stays silent inside one exchange is a fresh encoding before it sends a tensor (its
     * time budget is 10 s); three times that is a server that has gone.
     */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "theta-http-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final Remote remote;
    private final PipedInputStream bodyIn;
    private final CountingOutputStream request;
    private final CompletableFuture<HttpResponse<InputStream>> future;
    private final ScheduledFuture<?> watchdog;
    private volatile CountingInputStream response;
    private volatile boolean stalled;
    private long lastBytes = -1;
    private long lastMoved = System.nanoTime();

    /** @param send starts the POST with the body read from the given stream */
    HttpExchange(Remote remote, Function<InputStream, CompletableFuture<HttpResponse<InputStream>>> send)
            throws IOException {
        this.remote = remote;
        bodyIn = new PipedInputStream(PIPE_BYTES);
        PipedOutputStream bodyOut = new PipedOutputStream(bodyIn);
        future = send.apply(bodyIn);
        // A writer blocked on a full pipe learns of a broken connection only when the pipe's reader thread dies,
        // which for the HTTP client's pooled threads took a minute: closing the pipe wakes it within a second.
        future.whenComplete((r, e) -> {
            if (e != null) {
                closeQuietly(bodyIn);
            }
        });
        request = new CountingOutputStream(TranslatedStreams.output(bodyOut, this::lost));
        watchdog = WATCHDOG.scheduleWithFixedDelay(this::checkProgress, 1, 1, TimeUnit.SECONDS);
    }

    private void checkProgress() {
        CountingInputStream in = response;
        long bytes = request.count() + (in == null ? 0 : in.count());
        long now = System.nanoTime();
        if (bytes != lastBytes) {
            lastBytes = bytes;
            lastMoved = now;
        } else if (now - lastMoved > STALL_TIMEOUT.toNanos()) {
            stalled = true;
            watchdog.cancel(false);
            future.cancel(true);
            closeQuietly(bodyIn);
            if (in != null) {
                closeQuietly(in);
            }
        }
    }

    @Override
    public OutputStream request() {
        return request;
    }

    @Override
    public InputStream response() throws IOException {
        if (response != null) {
            return response;
        }
        request.close();
        HttpResponse<InputStream> r;
        try {
            r = future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (CancellationException e) {
            throw lost(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ConnectException refused) {
                throw cannotConnect(remote, refused);
            }
            throw lost(e.getCause());
        }
        if (r.statusCode() != 200) {
            String text;
            try (InputStream body = r.body()) {
                text = new String(body.readNBytes(4096), StandardCharsets.UTF_8).strip();
            }
            throw new RemoteRefusedException(remote + ": HTTP " + r.statusCode() + (text.isEmpty() ? "" : ": " + text));
        }
        response = new CountingInputStream(TranslatedStreams.input(r.body(), this::lost));
        return response;
    }

    /** The server could not be reached at all: nothing was sent, so nothing was lost. */
    static IOException cannotConnect(Remote remote, ConnectException e) {
        return new IOException(remote + ": cannot connect: " + ConnectionLostException.describe(e), e);
    }

    /** The exchange broke: the watchdog's verdict, else the HTTP client's own reason, else what was seen here. */
    private ConnectionLostException lost(Throwable seen) {
        if (stalled) {
            return new ConnectionLostException(remote, "the server sent and took nothing for "
                    + STALL_TIMEOUT.toSeconds() + " s", seen);
        }
        Throwable cause = seen;
        if (future.isCompletedExceptionally() && !future.isCancelled()) {
            try {
                future.join();
            } catch (CompletionException e) {
                cause = e.getCause() != null ? e.getCause() : e;
            }
        }
        return new ConnectionLostException(remote, cause);
    }

    @Override
    public long bytesSent() {
        return request.count();
    }

    @Override
    public long bytesReceived() {
        CountingInputStream in = response;
        return in == null ? 0 : in.count();
    }

    @Override
    public void close() throws IOException {
        watchdog.cancel(false);
        future.cancel(true);
        if (response != null) {
            response.close();
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // Closing to wake a blocked reader or writer; its failure is reported there.
        }
    }
}
