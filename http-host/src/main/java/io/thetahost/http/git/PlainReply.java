package io.thetahost.http.git;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** A short text/plain answer, the form in which git relays a server's message to its user. */
public final class PlainReply {
    private PlainReply() {
    }

    public static void send(HttpServerRequest request, int status, String message) {
        HttpServerResponse response = request.response();
        if (response.headWritten()) {
            if (!response.ended()) {
                response.reset();
            }
            return;
        }
        boolean bodyUnread = !request.isEnded();
        response.setStatusCode(status);
        response.putHeader("Content-Type", "text/plain; charset=utf-8");
        response.putHeader("Cache-Control", "no-cache");
        if (bodyUnread) {
            // The request body was not read; closing is cheaper and safer than draining what could be gigabytes.
            response.putHeader("Connection", "close");
        }
        response.end(message + "\n").onComplete(done -> {
            if (bodyUnread) {
                request.connection().close();
            }
        });
    }
}
