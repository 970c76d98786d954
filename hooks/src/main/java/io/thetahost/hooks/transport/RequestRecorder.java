package io.thetahost.hooks.transport;

import io.thetahost.protocol.io.CountingInputStream;
import io.thetahost.protocol.io.CountingOutputStream;
import java.time.Instant;

/** Collects what one request did and writes its line to the request log when it ends. */
public final class RequestRecorder {
    private final RequestLog log;
    private final String transport;
    private final Instant start = Instant.now();
    private final long startNanos = System.nanoTime();
    private String user = "-";
    private String repository = "-";
    private String service = "-";
    private int protocolVersion;
    private CountingInputStream in;
    private CountingOutputStream out;
    private boolean finished;

    public RequestRecorder(RequestLog log, String transport) {
        this.log = log;
        this.transport = transport;
    }

    public RequestRecorder user(String user) {
        this.user = user;
        return this;
    }

    public RequestRecorder repository(String repository) {
        this.repository = repository;
        return this;
    }

    public RequestRecorder service(GitService service, int protocolVersion) {
        this.service = service.serviceName();
        this.protocolVersion = protocolVersion;
        return this;
    }

    /** Wraps the request's input so its bytes are counted. */
    public CountingInputStream countIn(java.io.InputStream raw) {
        in = new CountingInputStream(raw);
        return in;
    }

    /** Wraps the request's output so its bytes are counted. */
    public CountingOutputStream countOut(java.io.OutputStream raw) {
        out = new CountingOutputStream(raw);
        return out;
    }

    /** Writes the log line once; later calls do nothing. */
    public synchronized void finish(String result, String detail) {
        if (finished) {
            return;
        }
        finished = true;
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        log.record(new RequestRecord(start, transport, user, repository, service, protocolVersion,
                in == null ? 0 : in.count(), out == null ? 0 : out.count(), millis, result,
                detail == null ? "" : detail));
    }
}
