package io.thetahost.http.io;

import io.thetahost.hooks.transport.ClientGoneException;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;

/**
 * A request body as a blocking {@link InputStream} for a worker thread. Memory is bounded: at most about
 * {@link #HIGH_WATER} bytes are held; beyond that the request is paused until the reader catches up.
 */
public final class RequestBodyInputStream extends InputStream {
    static final int HIGH_WATER = 1 << 20;
    static final int LOW_WATER = 256 << 10;

    private final HttpServerRequest request;
    private final Context context;
    private final ArrayDeque<Buffer> chunks = new ArrayDeque<>();
    private int headOffset;
    private long buffered;
    private boolean paused;
    private boolean ended;
    private Throwable failure;

    /** Must be called on the request's event loop, before the handler returns, so no data is missed. */
    public RequestBodyInputStream(HttpServerRequest request, Context context) {
        this.request = request;
        this.context = context;
        request.handler(this::onData);
        request.endHandler(v -> onEnd());
        request.exceptionHandler(this::onFailure);
    }

    private synchronized void onData(Buffer chunk) {
        if (chunk.length() == 0) {
            return;
        }
        chunks.add(chunk);
        buffered += chunk.length();
        if (buffered >= HIGH_WATER && !paused) {
            paused = true;
            request.pause();
        }
        notifyAll();
    }

    private synchronized void onEnd() {
        ended = true;
        notifyAll();
    }

    private synchronized void onFailure(Throwable t) {
        if (failure == null) {
            failure = t;
        }
        notifyAll();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] dst, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (chunks.isEmpty()) {
            if (failure != null) {
                throw new ClientGoneException("request body not received whole: " + failure.getMessage(), failure);
            }
            if (ended) {
                return -1;
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the request body");
            }
        }
        Buffer head = chunks.peek();
        int n = Math.min(len, head.length() - headOffset);
        head.getBytes(headOffset, headOffset + n, dst, off);
        headOffset += n;
        if (headOffset == head.length()) {
            chunks.poll();
            headOffset = 0;
        }
        buffered -= n;
        if (paused && buffered <= LOW_WATER) {
            paused = false;
            context.runOnContext(v -> request.resume());
        }
        return n;
    }

    @Override
    public synchronized int available() {
        return (int) Math.min(Integer.MAX_VALUE, buffered);
    }
}
