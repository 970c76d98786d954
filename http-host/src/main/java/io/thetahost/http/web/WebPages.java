package io.thetahost.http.web;

import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.http.api.CommitSummary;
import io.thetahost.http.compare.ParameterChange;
import io.thetahost.http.compare.RevisionComparison;
import io.thetahost.http.compare.RevisionRange;
import io.thetahost.http.read.ReadContext;
import io.thetahost.http.read.ReadRefusal;
import io.thetahost.http.read.RepositoryReader;
import io.thetahost.http.read.RequestPaths;
import io.thetahost.http.read.Revisions;
import io.thetahost.http.read.RevisionTree;
import io.thetahost.http.routing.BlockingWork;
import io.thetahost.protocol.manifest.Manifest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * The web UI, rendered on the server (plain HTML, one inline stylesheet, the comparison picture an inline SVG: every
 * page works with JavaScript off): the repositories one may read ({@code /}), a repository's files, README and clone
 * commands ({@code /OWNER/NAME}), its history ({@code /-/commits/REV}), and the parameter-level comparison of a commit
 * with its parent ({@code /-/commit/ID}) or of two revisions ({@code /-/compare/A...B}).
 */
public final class WebPages {
    static final int COMMITS_PER_PAGE = 30;
    /** The README rendered at most: a longer one is cut there. */
    static final int MAX_README_BYTES = 512 * 1024;
    private static final List<org.commonmark.Extension> MARKDOWN = List.of(TablesExtension.create());
    private final ReadContext context;
    private final BlockingWork blocking;
    private final Supplier<String> sshAuthority;

    /** @param sshAuthority the SSH listener's {@code host:port}, for the clone commands */
    public WebPages(ReadContext context, BlockingWork blocking, Supplier<String> sshAuthority) {
        this.context = context;
        this.blocking = blocking;
        this.sshAuthority = sshAuthority;
    }

    /** Whether the raw path segments name a page. */
    public static boolean isPage(List<String> s) {
        return s.size() == 1 && s.get(0).isEmpty() || s.size() == 2 || s.size() >= 5 && s.get(2).equals("-")
                && List.of("commits", "commit", "compare").contains(s.get(3));
    }

    public void handle(HttpServerRequest request, List<String> s) {
        blocking.run(request, () -> {
            try {
                Caller caller = context.access().caller(request.getHeader("Authorization"));
                if (s.size() == 1) {
                    html(request, 200, Html.page("Models", null, repositories(caller)));
                    return;
                }
                RepositoryName name = RequestPaths.repository(s.get(0), s.get(1));
                try (RepositoryReader repo = RepositoryReader.open(context, caller, name)) {
                    if (s.size() == 2) {
                        html(request, 200, Html.page(name.toString(), name.toString(), home(request, repo, caller)));
                        return;
                    }
                    String rest = RequestPaths.joined(s.subList(4, s.size()));
                    String body = switch (s.get(3)) {
                        case "commits" -> commits(repo, rest, RequestPaths.number(request.getParam("page"), 1, 1,
                                Integer.MAX_VALUE, "page"));
                        case "commit" -> commit(repo, rest);
                        default -> compare(repo, rest);
                    };
                    html(request, 200, Html.page(s.get(3) + " " + rest, name.toString(), body));
                }
            } catch (ReadRefusal r) {
                refuse(request.response(), r);
            }
        });
    }

    private String repositories(Caller caller) throws IOException {
        StringBuilder b = new StringBuilder("<h1>Models</h1><ul>");
        for (RepositoryName name : context.access().readable(caller)) {
            b.append("<li><a href=\"/").append(Html.url(name.toString())).append("\">")
                    .append(Html.escape(name.toString())).append("</a></li>");
        }
        return b.append("</ul>").toString();
    }

    private String home(HttpServerRequest request, RepositoryReader repo, Caller caller) throws ReadRefusal,
            IOException {
        String name = repo.name().toString();
        String host = Optional.ofNullable(request.getHeader("Host")).orElse("localhost");
        StringBuilder b = new StringBuilder("<h1>").append(Html.escape(name)).append("</h1>");
        Optional<String> branch = Revisions.defaultBranch(repo.repository());
        boolean empty = branch.isEmpty() || repo.repository().exactRef(Constants.R_HEADS + branch.get()) == null;
        // The SSH server knows people by their user name: the caller's, or a placeholder for anonymous readers.
        String sshUser = Html.escape(caller.userName().orElse("USER"));
        b.append("<h2>Clone</h2><pre>git clone ssh://").append(sshUser).append('@')
                .append(Html.escape(sshAuthority.get())).append('/').append(Html.escape(name))
                .append(".git\ngit clone http://").append(Html.escape(host)).append('/').append(Html.escape(name))
                .append(".git\nHF_ENDPOINT=http://").append(Html.escape(host))
                .append(" python3 -c \"from huggingface_hub import snapshot_download; print(snapshot_download('")
                .append(Html.escape(name)).append("'))\"</pre><p class=\"muted\">Over SSH use your own user name; "
                        + "over HTTP git asks for your user name and an access token.</p>");
        if (empty) {
            return b.append("<p>This repository has no commits yet.</p>").toString();
        }
        String rev = branch.get();
        b.append("<nav><a href=\"/").append(Html.url(name)).append("/-/commits/").append(Html.url(rev))
                .append("\">Commits</a></nav>");
        RevisionTree tree = repo.at(rev);
        RevCommit head = tree.commit();
        b.append("<p>Branch <code>").append(Html.escape(rev)).append("</code> at <a href=\"/").append(Html.url(name))
                .append("/-/commit/").append(head.name()).append("\"><code>").append(head.abbreviate(10).name())
                .append("</code></a> ").append(Html.escape(head.getShortMessage())).append("</p>");
        b.append("<h2>Files</h2><table class=\"files\"><tr><th>File</th><th>Size</th><th></th></tr>");
        String readme = null;
        for (RevisionTree.Entry e : tree.list("", true)) {
            if (!e.isFile()) {
                continue;
            }
            Optional<Manifest> m = repo.manifest(e);
            long size = m.map(Manifest::fileSize).orElse(e.size());
            b.append("<tr><td>").append(Html.escape(e.path()));
            m.ifPresent(x -> b.append(" <span class=\"muted\">checkpoint, ").append(x.tensors().size())
                    .append(" tensors</span>"));
            b.append("</td><td class=\"n\">").append(Html.bytes(size)).append("</td><td><a href=\"/")
                    .append(Html.url(name)).append("/-/raw/").append(Html.url(rev)).append('/')
                    .append(Html.url(e.path())).append("\">raw</a></td></tr>");
            if (e.path().equalsIgnoreCase("README.md") && m.isEmpty()) {
                readme = readme(repo, e);
            }
        }
        b.append("</table>");
        if (readme != null) {
            b.append("<h2>README.md</h2><div class=\"readme\">").append(readme).append("</div>");
        }
        return b.toString();
    }

    /** The README as HTML: CommonMark with raw HTML escaped and unsafe link targets dropped. */
    private static String readme(RepositoryReader repo, RevisionTree.Entry e) throws IOException {
        byte[] bytes;
        try (var in = repo.repository().open(e.id(), Constants.OBJ_BLOB).openStream()) {
            bytes = in.readNBytes(MAX_README_BYTES);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        return HtmlRenderer.builder().extensions(MARKDOWN).escapeHtml(true).sanitizeUrls(true).build()
                .render(Parser.builder().extensions(MARKDOWN).build().parse(text));
    }

    private String commits(RepositoryReader repo, String rev, int page) throws ReadRefusal, IOException {
        String name = repo.name().toString();
        RevisionTree tip = repo.at(rev);
        List<CommitSummary> commits = CommitSummary.page(repo, context, tip.commit(), (page - 1) * COMMITS_PER_PAGE,
                COMMITS_PER_PAGE + 1);
        StringBuilder b = new StringBuilder("<h1>Commits on <code>").append(Html.escape(rev)).append("</code></h1>")
                .append("<table class=\"commits\"><tr><th>Commit</th><th>Message</th><th>Author</th><th>Date</th>")
                .append("<th>Parameters changed</th></tr>");
        for (CommitSummary c : commits.subList(0, Math.min(COMMITS_PER_PAGE, commits.size()))) {
            RevCommit commit = c.commit();
            b.append("<tr><td><a href=\"/").append(Html.url(name)).append("/-/commit/").append(commit.name())
                    .append("\"><code>").append(commit.abbreviate(10).name()).append("</code></a></td><td>")
                    .append(Html.escape(commit.getShortMessage())).append("</td><td>")
                    .append(Html.escape(commit.getAuthorIdent().getName())).append("</td><td>")
                    .append(Instant.ofEpochSecond(commit.getCommitTime())).append("</td><td class=\"n changed-count\">")
                    .append(c.changedParameters()).append("</td></tr>");
        }
        b.append("</table>");
        if (commits.size() > COMMITS_PER_PAGE) {
            b.append("<p><a href=\"?page=").append(page + 1).append("\">Older commits</a></p>");
        }
        return b.toString();
    }

    private String commit(RepositoryReader repo, String id) throws ReadRefusal, IOException {
        RevisionTree to = repo.at(id);
        RevCommit commit = to.commit();
        RevisionTree from = commit.getParentCount() == 0 ? null : repo.at(commit.getParent(0).name());
        StringBuilder b = new StringBuilder("<h1>Commit <code>").append(commit.abbreviate(10).name())
                .append("</code></h1><p>").append(Html.escape(commit.getShortMessage())).append("</p><p class=\"muted\">")
                .append(Html.escape(commit.getAuthorIdent().getName())).append(", ")
                .append(Instant.ofEpochSecond(commit.getCommitTime())).append(from == null ? ", the first commit"
                        : ", against its parent " + commit.getParent(0).abbreviate(10).name()).append("</p>");
        return b.append(comparison(repo, new RevisionComparison(repo, context.differences()).compare(from, to,
                true))).toString();
    }

    private String compare(RepositoryReader repo, String range) throws ReadRefusal, IOException {
        RevisionRange revisions = RevisionRange.parse(range);
        String a = revisions.from();
        String z = revisions.to();
        RevisionComparison.Result result = new RevisionComparison(repo, context.differences())
                .compare(repo.at(a), repo.at(z), true);
        return "<h1>Compare <code>" + Html.escape(a) + "</code> ... <code>" + Html.escape(z) + "</code></h1>"
                + comparison(repo, result);
    }

    private static String comparison(RepositoryReader repo, RevisionComparison.Result result) {
        StringBuilder b = new StringBuilder();
        b.append("<p class=\"summary\">").append(result.changedParameters())
                .append(" parameters added, removed or changed.</p>");
        List<RevisionComparison.FileChange> plain = new ArrayList<>();
        for (RevisionComparison.FileChange f : result.files()) {
            if (!f.checkpoint()) {
                plain.add(f);
                continue;
            }
            b.append("<section class=\"checkpoint\"><h2>").append(Html.escape(f.path())).append(" <span class=\"")
                    .append(f.status()).append("\">").append(f.status()).append("</span></h2><p>")
                    .append(f.count(ParameterChange.Status.CHANGED)).append(" changed, ")
                    .append(f.count(ParameterChange.Status.ADDED)).append(" added, ")
                    .append(f.count(ParameterChange.Status.REMOVED)).append(" removed, ")
                    .append(f.count(ParameterChange.Status.UNCHANGED)).append(" unchanged.</p>");
            b.append(Heatmap.svg(f.parameters()));
            List<ParameterChange> unplaced = Heatmap.unplaced(f.parameters()).stream()
                    .filter(c -> c.status() != ParameterChange.Status.UNCHANGED).toList();
            if (!unplaced.isEmpty()) {
                b.append("<p>Outside the layers: ");
                for (ParameterChange c : unplaced) {
                    b.append("<code>").append(Html.escape(c.name())).append("</code> (")
                            .append(Html.escape(Heatmap.describe(c))).append(") ");
                }
                b.append("</p>");
            }
            b.append("<table class=\"parameters\"><tr><th>Parameter</th><th>Change</th><th>dtype, shape</th>")
                    .append("<th>Relative L2 change</th><th>Elements changed</th><th>Stored as</th>")
                    .append("<th>Bytes</th></tr>");
            for (ParameterChange c : f.parameters()) {
                if (c.status() == ParameterChange.Status.UNCHANGED) {
                    continue;
                }
                var t = c.after() != null ? c.after() : c.before();
                b.append("<tr class=\"").append(c.status().word()).append("\"><td><code>")
                        .append(Html.escape(c.name())).append("</code></td><td class=\"").append(c.status().word())
                        .append("\">").append(c.status().word()).append("</td><td>").append(t.dtype().formatName())
                        .append(' ').append(java.util.Arrays.toString(t.shape().dims())).append("</td><td class=\"n\">")
                        .append(Heatmap.format(c.relativeL2())).append("</td><td class=\"n\">")
                        .append(c.fractionChanged() == null ? "" : String.format(Locale.ROOT, "%.1f%%",
                                100 * c.fractionChanged()))
                        .append("</td><td>").append(c.storedAs() == null ? "" : Html.escape(c.storedAs()))
                        .append("</td><td class=\"n\">").append(c.storedAs() == null ? "" : Html.bytes(c.storedBytes()))
                        .append("</td></tr>");
            }
            b.append("</table></section>");
        }
        if (!plain.isEmpty()) {
            b.append("<h2>Other files</h2><ul>");
            for (RevisionComparison.FileChange f : plain) {
                b.append("<li><code>").append(Html.escape(f.path())).append("</code> <span class=\"")
                        .append(f.status()).append("\">").append(f.status()).append("</span></li>");
            }
            b.append("</ul>");
        }
        return b.toString();
    }

    private static void html(HttpServerRequest request, int status, String page) {
        HttpServerResponse response = request.response();
        response.putHeader("Content-Type", "text/html; charset=utf-8");
        response.putHeader("Cache-Control", "no-cache");
        response.putHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'");
        response.setStatusCode(status).end(page);
    }

    private static void refuse(HttpServerResponse response, ReadRefusal r) {
        if (response.headWritten()) {
            response.reset();
            return;
        }
        if (r.challenge()) {
            response.putHeader("WWW-Authenticate", "Basic realm=\"thetahost\"");
        }
        response.putHeader("Content-Type", "text/html; charset=utf-8");
        response.setStatusCode(r.status()).end(Html.page("Error " + r.status(), null, "<h1>" + r.status()
                + "</h1><p class=\"error\">" + Html.escape(r.getMessage()) + "</p>"));
    }
}
