package io.thetahost.http.routing;

import io.vertx.core.http.HttpServerRequest;

/** The {@code Link: <...>; rel="next"} of a paginated answer. */
public final class NextPage {
    private NextPage() {
    }

    /**
     * Points at this path with {@code query}: an absolute URL, since huggingface_hub requests the next page at the
     * address exactly as given (a relative one fails there).
     */
    public static void link(HttpServerRequest request, String query) {
        String host = request.getHeader("Host") == null ? "localhost" : request.getHeader("Host");
        request.response().putHeader("Link", "<" + request.scheme() + "://" + host + request.path() + "?" + query
                + ">; rel=\"next\"");
    }
}
