package io.thetahost.http.routing;

import io.thetahost.hooks.naming.InvalidNameException;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.http.api.JsonApi;
import io.thetahost.http.git.SmartHttpEndpoint;
import io.thetahost.http.raw.RawFiles;
import io.thetahost.http.read.ReadRefusal;
import io.thetahost.http.read.RequestPaths;
import io.thetahost.http.web.WebPages;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.Arrays;
import java.util.List;

/**
 * Which handler answers a request, by its path: git's smart HTTP ({@code .../info/refs}, {@code .../git-*-pack}),
 * raw files ({@code /OWNER/NAME/-/raw/...}), the JSON API ({@code /api/v1/...}), the Hugging Face API ({@code /api/models/...},
 * {@code /OWNER/NAME/resolve/...}), the web UI's pages ({@code /}, {@code /OWNER/NAME}, {@code /OWNER/NAME/-/commits/...},
 * {@code .../-/commit/...}, {@code .../-/compare/...}); anything else goes to the git handler, which explains that it speaks the smart
 * protocol only. Runs on the event loop: it only looks at the path.
 */
public final class HttpRoutes implements Handler<HttpServerRequest> {
    /** The Hugging Face endpoints, or null when the server has none. */
    public interface HubEndpoints {
        void api(HttpServerRequest request, List<String> segments);

        void resolve(HttpServerRequest request, RepositoryName repository, List<String> segments);
    }

    private final Handler<HttpServerRequest> git;
    private final RawFiles raw;
    private final HubEndpoints hub;
    private final JsonApi api;
    private final WebPages web;

    public HttpRoutes(Handler<HttpServerRequest> git, RawFiles raw, HubEndpoints hub, JsonApi api, WebPages web) {
        this.git = git;
        this.raw = raw;
        this.hub = hub;
        this.api = api;
        this.web = web;
    }

    @Override
    public void handle(HttpServerRequest request) {
        String path = request.path();
        if (isSmartHttp(path) || path.length() > 8192) {
            git.handle(request);
            return;
        }
        List<String> s = Arrays.asList(path.substring(1).split("/", -1));
        if (s.size() >= 2 && s.get(0).equals("api") && s.get(1).equals("v1")) {
            if (readOnly(request)) {
                api.handle(request, s.subList(2, s.size()));
            }
            return;
        }
        if (s.size() >= 2 && s.get(0).equals("api") && s.get(1).equals("models") && hub != null) {
            if (readOnly(request)) {
                hub.api(request, s.subList(2, s.size()));
            }
            return;
        }
        if (s.size() >= 4 && s.get(2).equals(RawFiles.MARK) && s.get(3).equals(RawFiles.RAW)) {
            if (readOnly(request)) {
                RepositoryName repository = repository(request, s);
                if (repository != null) {
                    raw.handle(request, repository, s.subList(4, s.size()));
                }
            }
            return;
        }
        if (s.size() >= 3 && s.get(2).equals("resolve") && hub != null) {
            if (readOnly(request)) {
                RepositoryName repository = repository(request, s);
                if (repository != null) {
                    hub.resolve(request, repository, s.subList(3, s.size()));
                }
            }
            return;
        }
        if (WebPages.isPage(s) && request.method() == HttpMethod.GET) {
            web.handle(request, s);
            return;
        }
        git.handle(request);
    }

    private static boolean isSmartHttp(String path) {
        try {
            return SmartHttpEndpoint.parse(path) != null;
        } catch (InvalidNameException e) {
            return true;
        }
    }

    private static RepositoryName repository(HttpServerRequest request, List<String> segments) {
        try {
            return RequestPaths.repository(segments.get(0), segments.get(1));
        } catch (ReadRefusal r) {
            RawFiles.refuse(request.response(), r);
            return null;
        }
    }

    /** GET and HEAD only: the read side changes nothing. */
    private static boolean readOnly(HttpServerRequest request) {
        if (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD) {
            return true;
        }
        request.response().putHeader("Allow", "GET, HEAD");
        RawFiles.refuse(request.response(), ReadRefusal.of(405, ReadRefusal.BAD_REQUEST,
                request.method() + " is not allowed here; use GET or HEAD"));
        return false;
    }
}
