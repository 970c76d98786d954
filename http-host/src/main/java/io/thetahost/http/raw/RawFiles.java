package io.thetahost.http.raw;

import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.http.files.FileResponse;
import io.thetahost.http.read.FileContent;
import io.thetahost.http.read.ReadContext;
import io.thetahost.http.read.ReadRefusal;
import io.thetahost.http.read.RepositoryReader;
import io.thetahost.http.read.RequestPaths;
import io.thetahost.http.read.RevisionTree;
import io.thetahost.http.routing.BlockingWork;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code GET|HEAD /OWNER/NAME/-/raw/REV/PATH[?include=GLOB...]}: a file at a revision as plain HTTP serves it, a
 * tracked checkpoint rebuilt byte for byte from the store, or with {@code include} the safetensors file of just the
 * matching parameters. Errors are plain text.
 */
public final class RawFiles {
    /** The path segment that separates the repository from what is asked of it, as in GitLab's URLs. */
    public static final String MARK = "-";
    public static final String RAW = "raw";
    static final String CHALLENGE = "Basic realm=\"thetahost\"";
    private final ReadContext context;
    private final BlockingWork blocking;

    public RawFiles(ReadContext context, BlockingWork blocking) {
        this.context = context;
        this.blocking = blocking;
    }

    /** @param segments the raw path segments after {@code /OWNER/NAME/-/raw/} */
    public void handle(HttpServerRequest request, RepositoryName repository, List<String> segments) {
        blocking.run(request, () -> {
            try {
                serve(request, repository, segments);
            } catch (ReadRefusal r) {
                refuse(request.response(), r);
            }
        });
    }

    private void serve(HttpServerRequest request, RepositoryName name, List<String> segments)
            throws ReadRefusal, IOException {
        Caller caller = context.access().caller(request.getHeader("Authorization"));
        List<String> include = request.params().getAll("include");
        try (RepositoryReader repo = RepositoryReader.open(context, caller, name)) {
            RequestPaths.RevisionAndPath at = RequestPaths.split(repo.repository(), segments);
            RevisionTree tree = repo.at(at.revision());
            RevisionTree.Entry file = repo.file(tree, at.path());
            FileContent content = repo.content(file, include);
            String sha256 = context.digests().sha256(content);
            FileResponse.send(request, content, sha256, Map.of("X-Repo-Commit", tree.commit().name()));
        }
    }

    /** A refusal as plain text: what was wrong and what to do. */
    public static void refuse(HttpServerResponse response, ReadRefusal r) {
        if (response.headWritten()) {
            response.reset();
            return;
        }
        if (r.challenge()) {
            response.putHeader("WWW-Authenticate", CHALLENGE);
        }
        response.putHeader("X-Error-Code", r.code());
        response.putHeader("Content-Type", "text/plain; charset=utf-8");
        response.setStatusCode(r.status()).end(r.getMessage() + "\n");
    }
}
