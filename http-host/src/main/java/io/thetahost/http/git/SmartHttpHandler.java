package io.thetahost.http.git;

import io.thetahost.hooks.access.AccessDecision;
import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.access.Permission;
import io.thetahost.hooks.naming.InvalidNameException;
import io.thetahost.hooks.transport.ActiveRequests;
import io.thetahost.hooks.transport.Failures;
import io.thetahost.hooks.transport.GitService;
import io.thetahost.hooks.transport.ProtocolParameters;
import io.thetahost.hooks.transport.RequestRecorder;
import io.thetahost.hooks.transport.RequestRefusedException;
import io.thetahost.http.auth.Credentials;
import io.thetahost.http.io.RequestBodyInputStream;
import io.thetahost.http.io.ResponseOutputStream;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.eclipse.jgit.lib.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Git's smart HTTP protocol (v0 and v2, stateless): {@code GET info/refs?service=...} and the two POST endpoints. The
 * event-loop part only parses the path and attaches the body stream; authentication, access checks and JGit run on
 * the git worker pool.
 */
public final class SmartHttpHandler implements Handler<HttpServerRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(SmartHttpHandler.class);
    private static final int STREAM_BUFFER = 64 * 1024;
    /** The most of a refused request's body read (and dropped) so the refusal reaches the client intact. */
    private static final long DRAIN_LIMIT = 64L * 1024 * 1024;
    static final String CHALLENGE = "Basic realm=\"thetahost\"";
    static final String SMART_ONLY = "not found: this server speaks git's smart HTTP protocol only, not the dumb one";

    private final HttpGitContext context;
    private final WorkerExecutor workers;

    public SmartHttpHandler(HttpGitContext context, WorkerExecutor workers) {
        this.context = context;
        this.workers = workers;
    }

    @Override
    public void handle(HttpServerRequest request) {
        RequestRecorder record = new RequestRecorder(context.log(), "http");
        SmartHttpEndpoint endpoint;
        try {
            endpoint = SmartHttpEndpoint.parse(request.path());
        } catch (InvalidNameException e) {
            refuse(request, record, 400, "bad-request", e.getMessage());
            return;
        }
        if (endpoint == null) {
            PlainReply.send(request, 404, SMART_ONLY);
            return;
        }
        record.repository(endpoint.repository().toString());
        HttpMethod expected = endpoint.kind() == SmartHttpEndpoint.Kind.RPC ? HttpMethod.POST : HttpMethod.GET;
        if (!request.method().equals(expected)) {
            request.response().putHeader("Allow", expected.name());
            refuse(request, record, 405, "bad-request", request.method() + " is not allowed here; use " + expected);
            return;
        }
        // In flight from the moment its head arrived: a shutdown that begins before a worker takes the request up
        // still lets it finish (taken on the worker, a busy machine's delay turned such a request into a 503).
        ActiveRequests.Ticket ticket = context.active().begin();
        if (ticket == null) {
            refuse(request, record, 503, "unavailable", "the server is shutting down; try again shortly");
            return;
        }
        InputStream body = endpoint.kind() == SmartHttpEndpoint.Kind.RPC
                ? new RequestBodyInputStream(request, Vertx.currentContext())
                : null;
        workers.executeBlocking(() -> {
            try (ticket) {
                serve(request, endpoint, body, record);
            }
            return null;
        }, false).onFailure(t -> {
            ticket.close();
            Failures.log(LOG, "HTTP request " + request.path(), t);
            fail(request, record, t);
        });
    }

    private void serve(HttpServerRequest request, SmartHttpEndpoint endpoint, InputStream body,
            RequestRecorder record) throws IOException {
        GitService service = endpoint.service();
        if (service == null) {
            String name = request.getParam("service");
            if (name == null) {
                refuse(request, record, 404, "bad-request", SMART_ONLY);
                return;
            }
            service = GitService.byName(name).filter(s -> s.serviceName().equals(name) && s.isGit())
                    .orElse(null);
            if (service == null) {
                refuse(request, record, 403, "bad-request", "unknown service '" + name + "'");
                return;
            }
        }
        ProtocolParameters parameters = ProtocolParameters.parse(request.getHeader("Git-Protocol"));
        record.service(service, parameters.effectiveVersion(service));
        Authorized who = authorize(request, endpoint, service, record);
        if (who == null) {
            return;
        }
        Caller caller = who.caller();
        if (body != null && !SmartHttpEndpoint.requestType(service).equals(request.getHeader("Content-Type"))) {
            refuse(request, record, 415, "bad-request",
                    "expected Content-Type " + SmartHttpEndpoint.requestType(service));
            return;
        }
        try (Repository repository = context.registry().open(endpoint.repository())) {
            if (body == null) {
                advertise(request, repository, caller, service, parameters, record);
            } else {
                rpc(request, repository, endpoint, who, service, parameters, body, record);
            }
        }
    }

    /** A caller allowed to use a service, and all it may do with the repository. */
    private record Authorized(Caller caller, Permission held) {
    }

    /**
     * Who is asking, if they may use the service on the repository; otherwise answers (401 to let git ask for
     * credentials, 404 alike for missing and unreadable repositories, 403 for readers who want to write) and
     * returns null.
     */
    private Authorized authorize(HttpServerRequest request, SmartHttpEndpoint endpoint, GitService service,
            RequestRecorder record) {
        Optional<Caller> authenticated =
                Credentials.authenticate(request.getHeader("Authorization"), context.users());
        if (authenticated.isEmpty()) {
            challenge(request, record, "invalid user name or access token");
            return null;
        }
        Caller caller = authenticated.get();
        record.user(caller.toString());
        Permission held = context.registry().permission(caller, endpoint.repository());
        AccessDecision decision = AccessDecision.decide(held, service.needs());
        if (decision == AccessDecision.ALLOWED) {
            return new Authorized(caller, held);
        }
        if (caller.isAnonymous()) {
            challenge(request, record, "authentication required");
        } else if (decision == AccessDecision.HIDDEN) {
            refuse(request, record, 404, "not-found", decision.message(caller, endpoint.repository()));
        } else {
            refuse(request, record, 403, "forbidden", decision.message(caller, endpoint.repository()));
        }
        return null;
    }

    private void advertise(HttpServerRequest request, Repository repository, Caller caller, GitService service,
            ProtocolParameters parameters, RequestRecorder record) throws IOException {
        HttpServerResponse response = startStreaming(request, SmartHttpEndpoint.advertisementType(service));
        OutputStream out = new BufferedOutputStream(record.countOut(new ResponseOutputStream(response)),
                STREAM_BUFFER);
        if (service == GitService.UPLOAD_PACK) {
            context.services().advertiseUpload(repository, parameters, out);
        } else {
            context.services().advertiseReceive(repository, caller, out);
        }
        out.flush();
        response.end();
        record.finish("ok", "");
    }

    private void rpc(HttpServerRequest request, Repository repository, SmartHttpEndpoint endpoint, Authorized who,
            GitService service, ProtocolParameters parameters, InputStream body, RequestRecorder record)
            throws IOException {
        Caller caller = who.caller();
        InputStream in = record.countIn(body);
        String encoding = request.getHeader("Content-Encoding");
        if (encoding != null) {
            if (!encoding.equalsIgnoreCase("gzip") && !encoding.equalsIgnoreCase("x-gzip")) {
                refuse(request, record, 415, "bad-request", "unsupported Content-Encoding '" + encoding + "'");
                return;
            }
            in = new GZIPInputStream(in, STREAM_BUFFER);
        }
        HttpServerResponse response = startStreaming(request, SmartHttpEndpoint.resultType(service));
        OutputStream out = new BufferedOutputStream(record.countOut(new ResponseOutputStream(response)),
                STREAM_BUFFER);
        try {
            switch (service) {
                case UPLOAD_PACK -> context.services().upload(repository, parameters, false, in, out, null);
                case RECEIVE_PACK -> context.services().receive(repository, endpoint.repository(), caller, false, in, out, null);
                case THETA_TRANSFER -> context.transfers().serve(in, out, endpoint.repository(), caller, who.held());
                default -> throw new IllegalStateException("no handler for " + service);
            }
        } catch (RequestRefusedException e) {
            drainUnread(body);
            refuse(request, record, 403, "forbidden", e.getMessage());
            return;
        } catch (IOException | RuntimeException e) {
            // JGit has already told the client in the protocol stream; end that stream cleanly so it can read why.
            Failures.log(LOG, service.serviceName() + " of " + caller + " on " + repository.getIdentifier(), e);
            record.finish("error", String.valueOf(Failures.cause(e).getMessage()));
            out.flush();
            endRpc(request, body);
            return;
        }
        out.flush();
        endRpc(request, body);
        record.finish("ok", "");
    }

    /**
     * Ends a POST's response. If the service stopped before the end of the request body (it refused the request),
     * what is left is read and dropped first, up to {@link #DRAIN_LIMIT}: closing a connection with unread input
     * makes TCP send a reset, which can discard the response before the client has read it. A longer body is cut off
     * by closing the connection rather than left waiting for a reader.
     */
    private static void endRpc(HttpServerRequest request, InputStream body) {
        drainUnread(body);
        boolean bodyUnread = !request.isEnded();
        request.response().end().onComplete(done -> {
            if (bodyUnread) {
                request.connection().close();
            }
        });
    }

    /** Reads and drops at most {@link #DRAIN_LIMIT} bytes of a request body; on the worker, it blocks. */
    private static void drainUnread(InputStream body) {
        try {
            byte[] sink = new byte[STREAM_BUFFER];
            for (long read = 0, n; read < DRAIN_LIMIT && (n = body.read(sink)) >= 0; read += n) {
                // dropped
            }
        } catch (IOException e) {
            LOG.debug("request body ended badly while being drained", e);
        }
    }

    private static HttpServerResponse startStreaming(HttpServerRequest request, String contentType) {
        HttpServerResponse response = request.response();
        response.setStatusCode(200);
        response.putHeader("Content-Type", contentType);
        response.putHeader("Cache-Control", "no-cache, max-age=0, must-revalidate");
        response.putHeader("Expires", "Fri, 01 Jan 1980 00:00:00 GMT");
        response.putHeader("Pragma", "no-cache");
        response.setChunked(true);
        return response;
    }

    private static void challenge(HttpServerRequest request, RequestRecorder record, String message) {
        request.response().putHeader("WWW-Authenticate", CHALLENGE);
        refuse(request, record, 401, "unauthorized", message);
    }

    /** Sends a plain-text error, which git shows its user as {@code remote: ...}, and logs the request. */
    static void refuse(HttpServerRequest request, RequestRecorder record, int status, String result,
            String message) {
        record.finish(result, message);
        PlainReply.send(request, status, message);
    }

    private static void fail(HttpServerRequest request, RequestRecorder record, Throwable t) {
        record.finish("error", String.valueOf(t.getMessage()));
        HttpServerResponse response = request.response();
        if (!response.headWritten()) {
            PlainReply.send(request, 500, "internal error: " + t.getMessage());
        } else if (!response.ended()) {
            // Part of a result is out already: cut the connection so the client cannot take it for a whole one.
            response.reset();
        }
    }
}
