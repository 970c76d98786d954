package io.thetahost.client.remote;

import io.thetahost.protocol.io.CountingInputStream;
import io.thetahost.protocol.io.CountingOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The theta transfer protocol over HTTP: each exchange is one POST to {@code /OWNER/NAME.git/theta-transfer}, its
 * body streamed as it is written and its response streamed as it is read. Credentials come from git's credential
 * helpers after the server's first 401, exactly as git's own HTTP transport gets them; a small probe request finds
 * out whether they are needed, so a large body is never sent only to be refused.
 */
final class HttpTransport implements Transport {
    static final String REQUEST_TYPE = "application/x-theta-transfer-request";
    /** A request with no objects: enough for the server to say 401 (or not) before real work. */
    private static final byte[] PROBE = probe();
    private static final int PIPE_BYTES = 1 << 20;

    private final Remote remote;
    private final GitEnvironment git;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Optional<GitEnvironment.Credential> credential;

    HttpTransport(Remote remote, GitEnvironment git) {
        this.remote = remote;
        this.git = git;
    }

    private static byte[] probe() {
        String request = pkt("theta-transfer 1\n") + pkt("command=capabilities\n") + "0001" + "0000";
        return request.getBytes(StandardCharsets.US_ASCII);
    }

    private static String pkt(String line) {
        return String.format("%04x", line.length() + 4) + line;
    }

    /** Settles the credentials once: none if the server answers without them, else git's. */
    private synchronized Optional<GitEnvironment.Credential> credential() throws IOException {
        if (credential != null) {
            return credential;
        }
        HttpResponse<InputStream> first = send(HttpRequest.BodyPublishers.ofByteArray(PROBE), Optional.empty());
        first.body().close();
        if (first.statusCode() != 401) {
            credential = Optional.empty();
            return credential;
        }
        String protocol = remote.scheme().name().toLowerCase(java.util.Locale.ROOT);
        String host = remote.host() + (remote.port() < 0 ? "" : ":" + remote.port());
        Optional<GitEnvironment.Credential> c = git.fill(protocol, host, remote.path(), remote.user(), remote.password());
        if (c.isEmpty()) {
            throw new RemoteRefusedException(remote + ": authentication required, and git has no credentials");
        }
        HttpResponse<InputStream> second = send(HttpRequest.BodyPublishers.ofByteArray(PROBE), c);
        second.body().close();
        if (second.statusCode() == 401) {
            git.reject(c.get());
            throw new RemoteRefusedException(remote + ": authentication failed for " + c.get().user());
        }
        git.approve(c.get());
        credential = c;
        return credential;
    }

    private HttpResponse<InputStream> send(HttpRequest.BodyPublisher body, Optional<GitEnvironment.Credential> c)
            throws IOException {
        try {
            return client.send(request(body, c), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private HttpRequest request(HttpRequest.BodyPublisher body, Optional<GitEnvironment.Credential> c) {
        HttpRequest.Builder b = HttpRequest.newBuilder(remote.transferUri()).POST(body)
                .header("Content-Type", REQUEST_TYPE).header("User-Agent", "theta/0.1");
        c.ifPresent(cred -> b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                (cred.user() + ":" + cred.password()).getBytes(StandardCharsets.UTF_8))));
        return b.build();
    }

    @Override
    public Exchange open() throws IOException {
        Optional<GitEnvironment.Credential> c = credential();
        PipedInputStream bodyIn = new PipedInputStream(PIPE_BYTES);
        PipedOutputStream bodyOut = new PipedOutputStream(bodyIn);
        CountingOutputStream request = new CountingOutputStream(bodyOut);
        CompletableFuture<HttpResponse<InputStream>> future = client.sendAsync(
                request(HttpRequest.BodyPublishers.ofInputStream(() -> bodyIn), c),
                HttpResponse.BodyHandlers.ofInputStream());
        return new Exchange() {
            private CountingInputStream response;

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
                } catch (ExecutionException e) {
                    throw new IOException(remote + ": " + e.getCause().getMessage(), e.getCause());
                }
                if (r.statusCode() != 200) {
                    String text;
                    try (InputStream body = r.body()) {
                        text = new String(body.readNBytes(4096), StandardCharsets.UTF_8).strip();
                    }
                    throw new RemoteRefusedException(remote + ": HTTP " + r.statusCode()
                            + (text.isEmpty() ? "" : ": " + text));
                }
                response = new CountingInputStream(r.body());
                return response;
            }

            @Override
            public long bytesSent() {
                return request.count();
            }

            @Override
            public long bytesReceived() {
                return response == null ? 0 : response.count();
            }

            @Override
            public void close() throws IOException {
                future.cancel(true);
                if (response != null) {
                    response.close();
                }
            }
        };
    }
}
