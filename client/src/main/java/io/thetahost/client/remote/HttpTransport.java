package io.thetahost.client.remote;

import io.thetahost.protocol.pktline.Packet;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

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

    private final Remote remote;
    private final GitEnvironment git;
    /** How long opening a connection may take before the server counts as unreachable. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT).build();
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
        return new String(Packet.text(line).encode(), StandardCharsets.US_ASCII);
    }

    /** Settles the credentials once: none if the server answers without them, else git's. */
    private synchronized Optional<GitEnvironment.Credential> credential() throws IOException {
        if (credential != null) {
            return credential;
        }
        if (remote.user() != null && remote.password() != null) {
            // A URL that carries user:token@ is sent with them from the first request, as the server may let
            // anyone read (a public repository: no 401 to ask for them) yet refuse an anonymous upload.
            credential = Optional.of(new GitEnvironment.Credential(protocol(), host(), remote.path(), remote.user(),
                    remote.password()));
            return credential;
        }
        HttpResponse<InputStream> first = send(HttpRequest.BodyPublishers.ofByteArray(PROBE), Optional.empty());
        first.body().close();
        if (first.statusCode() != 401) {
            credential = Optional.empty();
            return credential;
        }
        Optional<GitEnvironment.Credential> c = git.fill(protocol(), host(), remote.path(), remote.user(),
                remote.password());
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

    private String protocol() {
        return remote.scheme().name().toLowerCase(java.util.Locale.ROOT);
    }

    private String host() {
        return remote.host() + (remote.port() < 0 ? "" : ":" + remote.port());
    }

    private HttpResponse<InputStream> send(HttpRequest.BodyPublisher body, Optional<GitEnvironment.Credential> c)
            throws IOException {
        try {
            return client.send(request(body, c), HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.net.ConnectException e) {
            throw HttpExchange.cannotConnect(remote, e);
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
        return new HttpExchange(remote, body -> client.sendAsync(
                request(HttpRequest.BodyPublishers.ofInputStream(() -> body), c),
                HttpResponse.BodyHandlers.ofInputStream()));
    }
}
