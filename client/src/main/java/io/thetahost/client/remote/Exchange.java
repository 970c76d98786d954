package io.thetahost.client.remote;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One request and its response over some transport: the caller writes the request to {@link #request()}, closes
 * it, then reads the response from {@link #response()}. Both streams are live (bounded memory): a transport never
 * holds a whole request or response.
 */
public interface Exchange extends AutoCloseable {

    OutputStream request() throws IOException;

    /** The response; for HTTP this waits for the status line, and refusals become {@link RemoteRefusedException}. */
    InputStream response() throws IOException;

    /** Bytes that crossed the wire each way so far (request body sent, response body received). */
    long bytesSent();

    long bytesReceived();

    @Override
    void close() throws IOException;
}
