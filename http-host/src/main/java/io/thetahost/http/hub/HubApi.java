package io.thetahost.http.hub;

import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.http.files.FileResponse;
import io.thetahost.http.read.FileContent;
import io.thetahost.http.read.ReadContext;
import io.thetahost.http.read.ReadRefusal;
import io.thetahost.http.read.RepositoryReader;
import io.thetahost.http.read.RequestPaths;
import io.thetahost.http.read.Revisions;
import io.thetahost.http.read.RevisionTree;
import io.thetahost.http.routing.BlockingWork;
import io.thetahost.http.routing.HttpRoutes;
import io.thetahost.http.routing.NextPage;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * The part of the Hugging Face Hub's HTTP API that huggingface_hub uses to read a model repository, so that
 * {@code snapshot_download}, {@code hf_hub_download}, {@code list_repo_files}, {@code model_info},
 * {@code list_repo_tree} and {@code list_repo_refs} work unchanged against this server ({@code HF_ENDPOINT}).
 * A tracked checkpoint appears as an LFS file would on the Hub: its {@code lfs.oid} and {@code ETag} are the sha256
 * of the file's bytes, its size the file's; other files carry their git blob id, as on the Hub. Errors carry
 * {@code X-Error-Code} ({@code RepoNotFound}, {@code RevisionNotFound}, {@code EntryNotFound}), which the library
 * turns into its exceptions. Never the Xet headers: files are served here, whole or by range.
 */
public final class HubApi implements HttpRoutes.HubEndpoints {
    /** Entries per page of a tree listing; the next page's address is in {@code Link: <...>; rel="next"}. */
    static final int TREE_PAGE = 1000;
    private final ReadContext context;
    private final BlockingWork blocking;

    public HubApi(ReadContext context, BlockingWork blocking) {
        this.context = context;
        this.blocking = blocking;
    }

    /** {@code /api/models/OWNER/NAME[/revision/REV | /tree/REV[/PATH] | /refs]}. */
    @Override
    public void api(HttpServerRequest request, List<String> s) {
        blocking.run(request, () -> {
            try {
                if (s.size() < 2) {
                    throw ReadRefusal.of(404, ReadRefusal.REPO_NOT_FOUND, "expected /api/models/OWNER/NAME");
                }
                RepositoryName name = RequestPaths.repository(s.get(0), s.get(1));
                List<String> rest = s.subList(2, s.size());
                Caller caller = context.access().caller(request.getHeader("Authorization"));
                try (RepositoryReader repo = RepositoryReader.open(context, caller, name)) {
                    if (rest.isEmpty() || rest.size() == 2 && rest.get(0).equals("revision")) {
                        String revision = rest.isEmpty() ? defaultRevision(repo) : RequestPaths.decode(rest.get(1));
                        json(request, 200, modelInfo(repo, caller, revision,
                                "true".equals(request.getParam("blobs"))));
                    } else if (rest.get(0).equals("tree") && rest.size() >= 2) {
                        tree(request, repo, rest.subList(1, rest.size()));
                    } else if (rest.size() == 1 && rest.get(0).equals("refs")) {
                        json(request, 200, refs(repo));
                    } else {
                        throw ReadRefusal.of(404, ReadRefusal.ENTRY_NOT_FOUND, "no such API endpoint");
                    }
                }
            } catch (ReadRefusal r) {
                refuse(request.response(), r);
            }
        });
    }

    /** {@code HEAD|GET /OWNER/NAME/resolve/REV/PATH}: a file as huggingface_hub downloads it. */
    @Override
    public void resolve(HttpServerRequest request, RepositoryName name, List<String> segments) {
        blocking.run(request, () -> {
            try {
                Caller caller = context.access().caller(request.getHeader("Authorization"));
                try (RepositoryReader repo = RepositoryReader.open(context, caller, name)) {
                    RequestPaths.RevisionAndPath at = RequestPaths.split(repo.repository(), segments);
                    RevisionTree tree = repo.at(at.revision());
                    RevisionTree.Entry file = repo.file(tree, at.path());
                    FileContent content = repo.content(file, List.of());
                    // As the Hub: an LFS file's ETag is its sha256, any other file's its git blob id.
                    boolean tracked = content.manifest().isPresent();
                    String etag = tracked ? context.digests().sha256(content) : file.id().name();
                    Map<String, String> headers = new LinkedHashMap<>();
                    headers.put("X-Repo-Commit", tree.commit().name());
                    if (tracked) {
                        headers.put("X-Linked-Size", Long.toString(content.size()));
                        headers.put("X-Linked-ETag", "\"" + etag + "\"");
                    }
                    FileResponse.send(request, content, etag, headers);
                }
            } catch (ReadRefusal r) {
                refuse(request.response(), r);
            }
        });
    }

    private static String defaultRevision(RepositoryReader repo) throws IOException {
        return Revisions.defaultBranch(repo.repository()).orElse("main");
    }

    private JsonObject modelInfo(RepositoryReader repo, Caller caller, String revision, boolean blobs)
            throws ReadRefusal, IOException {
        RevisionTree tree = repo.at(revision);
        RevCommit commit = tree.commit();
        JsonArray siblings = new JsonArray();
        for (RevisionTree.Entry e : tree.list("", true)) {
            if (!e.isFile()) {
                continue;
            }
            JsonObject sibling = new JsonObject().put("rfilename", e.path());
            if (blobs) {
                // model_info(files_metadata=True): the size, the blob id, and for a tracked checkpoint its LFS
                // description, which here names the sha256 "sha256" (the tree listing names it "oid").
                JsonObject file = new JsonObject();
                describeFile(repo, e, file);
                sibling.put("size", file.getLong("size")).put("blobId", e.id().name());
                JsonObject lfs = file.getJsonObject("lfs");
                if (lfs != null) {
                    sibling.put("lfs", new JsonObject().put("sha256", lfs.getString("oid"))
                            .put("size", lfs.getLong("size")).put("pointerSize", lfs.getLong("pointerSize")));
                }
            }
            siblings.add(sibling);
        }
        String id = repo.name().toString();
        return new JsonObject()
                .put("_id", id)
                .put("id", id)
                .put("modelId", id)
                .put("author", repo.name().owner())
                .put("sha", commit.name())
                .put("lastModified", Instant.ofEpochSecond(commit.getCommitTime()).toString())
                .put("private", !context.access().isPublic(repo.name()))
                .put("disabled", false)
                .put("gated", false)
                .put("downloads", 0)
                .put("likes", 0)
                .put("tags", new JsonArray())
                .put("library_name", (String) null)
                .put("siblings", siblings);
    }

    /** {@code tree/REV[/PATH]?recursive=true&cursor=N}, paginated by {@link #TREE_PAGE}. */
    private void tree(HttpServerRequest request, RepositoryReader repo, List<String> segments)
            throws ReadRefusal, IOException {
        String revision = RequestPaths.decode(segments.get(0));
        List<String> pathSegments = new ArrayList<>();
        for (String raw : segments.subList(1, segments.size())) {
            pathSegments.add(RequestPaths.decode(raw));
        }
        String path = RequestPaths.checkPath(String.join("/", pathSegments));
        RevisionTree tree = repo.at(revision);
        Optional<RevisionTree.Entry> folder = tree.entry(path);
        if (folder.isEmpty() || !folder.get().isFolder()) {
            throw ReadRefusal.of(404, ReadRefusal.ENTRY_NOT_FOUND, "no folder '" + path + "' at " + revision);
        }
        boolean recursive = "true".equalsIgnoreCase(request.getParam("recursive"));
        List<RevisionTree.Entry> entries = tree.list(path, recursive);
        int from = RequestPaths.number(request.getParam("cursor"), 0, 0, entries.size(), "cursor");
        int to = Math.min(entries.size(), from + TREE_PAGE);
        JsonArray page = new JsonArray();
        for (RevisionTree.Entry e : entries.subList(from, to)) {
            if (e.isFolder()) {
                page.add(new JsonObject().put("type", "directory").put("oid", e.id().name()).put("size", 0)
                        .put("path", e.path()));
            } else if (e.isFile()) {
                JsonObject file = new JsonObject();
                describeFile(repo, e, file);
                page.add(file);
            }
        }
        if (to < entries.size()) {
            NextPage.link(request, (recursive ? "recursive=true&" : "") + "cursor=" + to);
        }
        json(request, 200, page);
    }

    /** A file entry as the Hub lists it; a tracked checkpoint as an LFS file (computing its sha256 once). */
    private void describeFile(RepositoryReader repo, RevisionTree.Entry e, JsonObject into) throws ReadRefusal,
            IOException {
        into.put("type", "file").put("oid", e.id().name()).put("size", e.size()).put("path", e.path());
        FileContent content = repo.content(e, List.of());
        if (content.manifest().isPresent()) {
            into.put("size", content.size());
            into.put("lfs", new JsonObject().put("oid", context.digests().sha256(content))
                    .put("size", content.size()).put("pointerSize", e.size()));
        }
    }

    private static JsonObject refs(RepositoryReader repo) throws IOException {
        return new JsonObject().put("branches", named(Revisions.branches(repo.repository())))
                .put("converts", new JsonArray()).put("tags", named(Revisions.tags(repo.repository())));
    }

    private static JsonArray named(List<Revisions.NamedRef> refs) {
        JsonArray out = new JsonArray();
        for (Revisions.NamedRef r : refs) {
            out.add(new JsonObject().put("name", r.name()).put("ref", r.refName()).put("targetCommit", r.commit()));
        }
        return out;
    }

    private static void json(HttpServerRequest request, int status, Object body) {
        HttpServerResponse response = request.response();
        response.putHeader("Content-Type", "application/json; charset=utf-8");
        response.setStatusCode(status).end(body instanceof JsonObject o ? o.encode() : ((JsonArray) body).encode());
    }

    /** A refusal as the Hub sends it: JSON {@code {"error": ...}} and {@code X-Error-Code}. */
    static void refuse(HttpServerResponse response, ReadRefusal r) {
        if (response.headWritten()) {
            response.reset();
            return;
        }
        if (r.challenge()) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"thetahost\"");
        }
        response.putHeader("X-Error-Code", r.code());
        response.putHeader("X-Error-Message", r.getMessage());
        response.putHeader("Content-Type", "application/json; charset=utf-8");
        response.setStatusCode(r.status()).end(new JsonObject().put("error", r.getMessage()).encode());
    }
}
