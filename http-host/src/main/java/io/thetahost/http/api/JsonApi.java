package io.thetahost.http.api;

import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.http.compare.ParameterChange;
import io.thetahost.http.compare.RevisionComparison;
import io.thetahost.http.compare.RevisionRange;
import io.thetahost.http.routing.NextPage;
import io.thetahost.http.read.ReadContext;
import io.thetahost.http.read.ReadRefusal;
import io.thetahost.http.read.RepositoryReader;
import io.thetahost.http.read.RequestPaths;
import io.thetahost.http.read.Revisions;
import io.thetahost.http.read.RevisionTree;
import io.thetahost.http.routing.BlockingWork;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;

/**
 * The JSON API under {@code /api/v1/} (specified in {@code http-host/API.md}): repositories the caller may read, refs,
 * commits (paginated), trees, a checkpoint's manifest, and the parameter-level comparison of two revisions. Errors
 * are {@code {"error": "..."}} with the status.
 */
public final class JsonApi {
    static final int DEFAULT_PER_PAGE = 30;
    static final int MAX_PER_PAGE = 100;
    private final ReadContext context;
    private final BlockingWork blocking;

    public JsonApi(ReadContext context, BlockingWork blocking) {
        this.context = context;
        this.blocking = blocking;
    }

    /** @param s the raw path segments after {@code /api/v1/} */
    public void handle(HttpServerRequest request, List<String> s) {
        blocking.run(request, () -> {
            try {
                Caller caller = context.access().caller(request.getHeader("Authorization"));
                if (s.size() == 1 && s.get(0).equals("repos")) {
                    json(request, repositories(caller));
                    return;
                }
                if (s.size() < 3 || !s.get(0).equals("repos")) {
                    throw ReadRefusal.of(404, ReadRefusal.ENTRY_NOT_FOUND, "no such endpoint: see API.md");
                }
                RepositoryName name = RequestPaths.repository(s.get(1), s.get(2));
                try (RepositoryReader repo = RepositoryReader.open(context, caller, name)) {
                    route(request, repo, s.subList(3, s.size()));
                }
            } catch (ReadRefusal r) {
                refuse(request.response(), r);
            }
        });
    }

    private void route(HttpServerRequest request, RepositoryReader repo, List<String> s) throws ReadRefusal,
            IOException {
        String what = s.isEmpty() ? "" : s.get(0);
        List<String> rest = s.isEmpty() ? List.of() : s.subList(1, s.size());
        switch (what) {
            case "" -> json(request, repository(repo));
            case "refs" -> json(request, refs(repo.repository()));
            case "commits" -> commits(request, repo, RequestPaths.joined(rest));
            case "tree" -> {
                RequestPaths.RevisionAndPath at = RequestPaths.split(repo.repository(), rest);
                json(request, tree(repo, at));
            }
            case "manifest" -> {
                RequestPaths.RevisionAndPath at = RequestPaths.split(repo.repository(), rest);
                json(request, manifest(repo, at));
            }
            case "compare" -> json(request, compare(repo, RequestPaths.joined(rest),
                    !"false".equals(request.getParam("measure"))));
            default -> throw ReadRefusal.of(404, ReadRefusal.ENTRY_NOT_FOUND, "no such endpoint '" + what
                    + "': see API.md");
        }
    }

    private JsonArray repositories(Caller caller) throws IOException {
        JsonArray out = new JsonArray();
        for (RepositoryName name : context.access().readable(caller)) {
            out.add(new JsonObject().put("name", name.toString()).put("owner", name.owner())
                    .put("public", context.access().isPublic(name)));
        }
        return out;
    }

    private JsonObject repository(RepositoryReader repo) throws IOException {
        Optional<String> branch = Revisions.defaultBranch(repo.repository());
        Ref head = repo.repository().exactRef(Constants.HEAD);
        return new JsonObject().put("name", repo.name().toString()).put("public", context.access().isPublic(repo.name()))
                .put("defaultBranch", branch.orElse(null))
                .put("head", head == null || head.getObjectId() == null ? null : head.getObjectId().name());
    }

    static JsonObject refs(Repository repository) throws IOException {
        return new JsonObject().put("branches", named(Revisions.branches(repository)))
                .put("tags", named(Revisions.tags(repository)));
    }

    private static JsonArray named(List<Revisions.NamedRef> refs) {
        JsonArray out = new JsonArray();
        for (Revisions.NamedRef r : refs) {
            out.add(new JsonObject().put("name", r.name()).put("commit", r.commit()));
        }
        return out;
    }

    /** {@code commits/REV?page=N&per_page=M}: newest first, each with how many parameters it changed. */
    private void commits(HttpServerRequest request, RepositoryReader repo, String revision) throws ReadRefusal,
            IOException {
        int page = RequestPaths.number(request.getParam("page"), 1, 1, Integer.MAX_VALUE, "page");
        int perPage = RequestPaths.number(request.getParam("per_page"), DEFAULT_PER_PAGE, 1, MAX_PER_PAGE,
                "per_page");
        RevisionTree tip = repo.at(revision);
        List<CommitSummary> commits = CommitSummary.page(repo, context, tip.commit(), (page - 1) * perPage, perPage
                + 1);
        JsonArray out = new JsonArray();
        for (CommitSummary c : commits.subList(0, Math.min(perPage, commits.size()))) {
            out.add(c.toJson());
        }
        if (commits.size() > perPage) {
            NextPage.link(request, "page=" + (page + 1) + "&per_page=" + perPage);
        }
        json(request, out);
    }

    private static JsonArray tree(RepositoryReader repo, RequestPaths.RevisionAndPath at) throws ReadRefusal,
            IOException {
        RevisionTree tree = repo.at(at.revision());
        Optional<RevisionTree.Entry> folder = tree.entry(at.path());
        if (folder.isEmpty() || !folder.get().isFolder()) {
            throw ReadRefusal.of(404, ReadRefusal.ENTRY_NOT_FOUND, "no folder '" + at.path() + "' at "
                    + at.revision());
        }
        JsonArray out = new JsonArray();
        for (RevisionTree.Entry e : tree.list(at.path(), false)) {
            JsonObject entry = new JsonObject().put("path", e.path()).put("type", e.isFolder() ? "folder"
                    : e.isFile() ? "file" : "other").put("id", e.id().name());
            if (e.isFile()) {
                Optional<Manifest> m = repo.manifest(e);
                entry.put("size", m.map(Manifest::fileSize).orElse(e.size())).put("checkpoint", m.isPresent());
            }
            out.add(entry);
        }
        return out;
    }

    private static JsonObject manifest(RepositoryReader repo, RequestPaths.RevisionAndPath at) throws ReadRefusal,
            IOException {
        RevisionTree tree = repo.at(at.revision());
        RevisionTree.Entry file = repo.file(tree, at.path());
        Manifest m = repo.manifest(file).orElseThrow(() -> ReadRefusal.of(404, ReadRefusal.ENTRY_NOT_FOUND,
                "'" + at.path() + "' is not a tracked checkpoint at " + at.revision()));
        JsonArray tensors = new JsonArray();
        for (ManifestTensor t : m.tensors()) {
            tensors.add(tensor(t));
        }
        return new JsonObject().put("path", file.path()).put("commit", tree.commit().name())
                .put("fileSize", m.fileSize()).put("tensors", tensors);
    }

    static JsonObject tensor(ManifestTensor t) {
        JsonArray shape = new JsonArray();
        for (long d : t.shape().dims()) {
            shape.add(d);
        }
        return new JsonObject().put("name", t.name()).put("dtype", t.dtype().formatName()).put("shape", shape)
                .put("id", t.id().toString()).put("bytes", t.dtype().sizeOf(t.shape().elements()));
    }

    /** {@code compare/A...B}. */
    private JsonObject compare(RepositoryReader repo, String range, boolean measure) throws ReadRefusal,
            IOException {
        RevisionRange revisions = RevisionRange.parse(range);
        RevisionTree from = repo.at(revisions.from());
        RevisionTree to = repo.at(revisions.to());
        return comparison(new RevisionComparison(repo, context.differences()).compare(from, to, measure));
    }

    public static JsonObject comparison(RevisionComparison.Result result) {
        JsonArray files = new JsonArray();
        for (RevisionComparison.FileChange f : result.files()) {
            JsonObject file = new JsonObject().put("path", f.path()).put("status", f.status())
                    .put("checkpoint", f.checkpoint());
            if (f.checkpoint()) {
                JsonObject summary = new JsonObject();
                for (ParameterChange.Status s : ParameterChange.Status.values()) {
                    summary.put(s.word(), f.count(s));
                }
                JsonArray parameters = new JsonArray();
                for (ParameterChange p : f.parameters()) {
                    parameters.add(parameter(p));
                }
                file.put("summary", summary).put("parameters", parameters);
            }
            files.add(file);
        }
        return new JsonObject().put("from", result.from() == null ? null : result.from().name())
                .put("to", result.to().name()).put("changedParameters", result.changedParameters())
                .put("files", files);
    }

    private static JsonObject parameter(ParameterChange p) {
        JsonObject o = new JsonObject().put("name", p.name()).put("status", p.status().word());
        if (p.before() != null) {
            o.put("before", tensor(p.before()));
        }
        if (p.after() != null) {
            o.put("after", tensor(p.after()));
        }
        if (p.relativeL2() != null) {
            o.put("relativeL2", p.relativeL2());
        }
        if (p.fractionChanged() != null) {
            o.put("fractionChanged", p.fractionChanged());
        }
        if (p.storedAs() != null) {
            o.put("storedAs", p.storedAs()).put("storedBytes", p.storedBytes());
        }
        return o;
    }

    static void json(HttpServerRequest request, Object body) {
        HttpServerResponse response = request.response();
        response.putHeader("Content-Type", "application/json; charset=utf-8");
        response.putHeader("Cache-Control", "no-cache");
        response.setStatusCode(200).end(body instanceof JsonObject o ? o.encode() : ((JsonArray) body).encode());
    }

    static void refuse(HttpServerResponse response, ReadRefusal r) {
        if (response.headWritten()) {
            response.reset();
            return;
        }
        if (r.challenge()) {
            response.putHeader("WWW-Authenticate", "Basic realm=\"thetahost\"");
        }
        response.putHeader("Content-Type", "application/json; charset=utf-8");
        response.setStatusCode(r.status()).end(new JsonObject().put("error", r.getMessage()).encode());
    }
}
