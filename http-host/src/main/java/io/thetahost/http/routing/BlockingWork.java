package io.thetahost.http.routing;

import io.thetahost.hooks.transport.ActiveRequests;
import io.thetahost.hooks.transport.Failures;
import io.thetahost.http.git.PlainReply;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a request's blocking part (opening a repository, reading the store) on the worker pool, off the event loop,
 * counted among the requests a graceful shutdown lets finish. An exception the work did not answer becomes a 500,
 * or a cut connection once part of the answer is out.
 */
public final class BlockingWork {
    private static final Logger LOG = LoggerFactory.getLogger(BlockingWork.class);

    /** The blocking part of a request. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    private final WorkerExecutor workers;
    private final ActiveRequests active;

    public BlockingWork(WorkerExecutor workers, ActiveRequests active) {
        this.workers = workers;
        this.active = active;
    }

    public void run(HttpServerRequest request, Work work) {
        ActiveRequests.Ticket ticket = active.begin();
        if (ticket == null) {
            PlainReply.send(request, 503, "the server is shutting down; try again shortly");
            return;
        }
        workers.executeBlocking(() -> {
            try (ticket) {
                work.run();
            }
            return null;
        }, false).onFailure(t -> {
            Failures.log(LOG, request.method() + " " + request.path(), t);
            PlainReply.send(request, 500, "internal error: " + t.getMessage());
        });
    }
}
