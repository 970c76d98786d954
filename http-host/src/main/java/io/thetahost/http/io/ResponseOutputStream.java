package io.thetahost.http.io;

import io.thetahost.hooks.transport.ClientGoneException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * A chunked response as a blocking {@link OutputStream} for a worker thread. The writer waits while Vert.x's write
 * queue is full, so memory stays bounded by the response's write-queue size however large the response.
 */
public final class ResponseOutputStream extends OutputStream {
    private final HttpServerResponse response;
    private final Object writable = new Object();
    private volatile boolean closedByPeer;

    public ResponseOutputStream(HttpServerResponse response) {
        this.response = response;
        response.drainHandler(v -> wake());
        response.closeHandler(v -> {
            closedByPeer = true;
            wake();
        });
    }

    private void wake() {
        synchronized (writable) {
            writable.notifyAll();
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] src, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        checkOpen();
        response.write(Buffer.buffer(len).appendBytes(src, off, len));
        synchronized (writable) {
            while (response.writeQueueFull()) {
                checkOpen();
                try {
                    // The timeout only guards against a drain event that raced with the check above.
                    writable.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while sending the response");
                }
            }
        }
    }

    private void checkOpen() throws IOException {
        if (closedByPeer || response.closed()) {
            throw new ClientGoneException("the client closed the connection", null);
        }
    }
}
