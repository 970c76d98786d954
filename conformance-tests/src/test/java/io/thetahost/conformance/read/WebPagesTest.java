package io.thetahost.conformance.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.conformance.support.Cmd;
import io.thetahost.conformance.support.Curl;
import io.thetahost.conformance.support.PublishedModel;
import io.thetahost.conformance.support.SharedDaemon;
import io.thetahost.conformance.support.ThetahostServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web UI as a person sees it: each page rendered by headless Chromium (Debian's, as .ci/run installs it), what
 * the page shows asserted on the rendered DOM, and a screenshot kept in conformance-tests/target/screenshots.
 */
class WebPagesTest extends SharedDaemon {
    static PublishedModel pub;
    static PublishedModel priv;
    static final Path SHOTS = ThetahostServer.projectRoot().resolve("conformance-tests/target/screenshots");

    @BeforeAll
    static void publish() throws Exception {
        pub = PublishedModel.publish(server, alice, base, "alice/web-open", "--public");
        priv = PublishedModel.publish(server, alice, base, "alice/web-closed");
        Files.createDirectories(SHOTS);
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + server.httpPort() + path;
    }

    /** The page's DOM as Chromium renders it; with {@code shot}, a screenshot kept under that name too. */
    private static String render(String path, String shot) throws Exception {
        Path profile = Files.createTempDirectory(base, "chromium-");
        List<String> common = List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + profile, "--window-size=1100,1500");
        Cmd.Result dom = Cmd.of(concat(common, "--dump-dom", url(path))).timeout(Duration.ofMinutes(1)).run();
        assertTrue(dom.ok(), dom.describe("chromium --dump-dom " + path));
        if (shot != null) {
            Path png = SHOTS.resolve(shot + ".png");
            Files.deleteIfExists(png);
            Cmd.of(concat(common, "--screenshot=" + png, url(path))).timeout(Duration.ofMinutes(1)).run()
                    .assertOk();
            assertTrue(Files.size(png) > 10_000, "a screenshot of " + path + " at " + png);
        }
        return dom.out();
    }

    private static List<String> concat(List<String> a, String... more) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(List.of(more));
        return all;
    }

    private static int count(String text, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void theFrontPageListsTheRepositoriesOneMayRead() throws Exception {
        String page = render("/", "repositories");
        assertTrue(page.contains("href=\"/" + pub.repo() + "\""), page);
        assertFalse(page.contains(priv.repo()), "a private repository is not listed to anonymous readers");
        Curl.Response owner = Curl.run("-u", "alice:" + alice.token(), url("/"));
        assertTrue(owner.body().contains(priv.repo()), owner.body());
    }

    @Test
    void theRepositoryPageShowsFilesWithSizesTheReadmeAndHowToClone() throws Exception {
        String page = render("/" + pub.repo(), "repository");
        assertTrue(page.contains("<h1>" + pub.repo() + "</h1>"), page);
        assertTrue(page.contains(PublishedModel.MODEL + " <span class=\"muted\">checkpoint, 52 tensors</span>"),
                page);
        assertTrue(page.contains("6.1 MiB"), "the checkpoint's size, not its manifest's: " + page);
        assertTrue(page.contains(PublishedModel.NOTES), page);
        // The front that rendered the page names itself (with several fronts, any of them).
        assertTrue(server.sshPorts().stream().anyMatch(port -> page.contains("git clone ssh://USER@127.0.0.1:" + port
                + "/" + pub.repo() + ".git")), page);
        assertTrue(server.httpPorts().stream().anyMatch(port -> page.contains("git clone http://127.0.0.1:" + port
                + "/" + pub.repo() + ".git")), page);
        assertTrue(page.contains("<p>A small GPT-2 for tests.</p>"), "the README rendered: " + page);
        assertFalse(page.contains("<script"), "no script on the page");
        assertTrue(page.contains("href=\"/" + pub.repo() + "/-/raw/main/" + PublishedModel.MODEL + "\""));
    }

    @Test
    void historyWithHowManyParametersEachCommitChanged() throws Exception {
        String page = render("/" + pub.repo() + "/-/commits/" + PublishedModel.FEATURE, "commits");
        assertTrue(page.contains("merge the adapter"), page);
        assertTrue(page.contains("base and adapter"), page);
        assertTrue(page.contains("<td class=\"n changed-count\">12</td>"), page);
        assertTrue(page.contains("<td class=\"n changed-count\">128</td>"), page);
    }

    @Test
    void aCommitPageListsTheChangedParametersWithTheirCostAndDrawsTheHeatmap() throws Exception {
        String page = render("/" + pub.repo() + "/-/commit/" + pub.feature(), "commit");
        assertTrue(page.contains("12 parameters added, removed or changed."), page);
        assertTrue(page.contains("12 changed, 0 added, 0 removed, 40 unchanged."), page);
        for (int layer = 0; layer < 4; layer++) {
            for (String module : List.of("attn.c_attn", "attn.c_proj", "mlp.c_proj")) {
                assertTrue(page.contains("<code>transformer.h." + layer + "." + module + ".weight</code>"),
                        layer + " " + module);
            }
        }
        assertEquals(12, count(page, "<td>low-rank</td>|<td>dense</td>|<td>sparse</td>|<td>xor</td>"
                + "|<td>sparse-ternary</td>"), "how each change is stored");
        assertTrue(page.contains("<svg") && page.contains("class=\"heatmap\""), "the picture is there");
        assertEquals(4, count(page, ">layer \\d</text>"), "a row per layer");
        for (String column : List.of(">qkv<", ">o<", ">mlp.out<", ">mlp.up<", ">norm<")) {
            assertTrue(page.contains(column), column);
        }
        // 12 changed cells (weight and bias share one) and the rest unchanged, drawn grey.
        assertEquals(12, count(page, "<rect class=\"cell\"[^>]*data-change=\"[0-9.e-]+\""), page);
    }

    @Test
    void theComparePageOfTwoRevisions() throws Exception {
        String page = render("/" + pub.repo() + "/-/compare/v1..." + PublishedModel.FEATURE, "compare");
        assertTrue(page.contains("12 changed, 0 added, 0 removed, 40 unchanged."), page);
        assertTrue(page.contains("class=\"heatmap\""), page);
        String withAdapter = render("/" + pub.repo() + "/-/compare/v1..." + pub.feature().substring(0, 12), null);
        assertFalse(withAdapter.contains(PublishedModel.WITH_ADAPTER + " <span"), "unchanged files are not listed");
    }

    @Test
    void privateRepositoriesNeedATokenAndLookLikeMissingOnes() {
        Curl.Response hidden = Curl.run(url("/" + priv.repo()));
        Curl.Response missing = Curl.run(url("/alice/no-such-model"));
        assertEquals(401, hidden.status());
        assertEquals(hidden.body(), missing.body());
        assertTrue(hidden.hasHeader("WWW-Authenticate: Basic"));
        Curl.Response owner = Curl.run("-u", "alice:" + alice.token(), url("/" + priv.repo()));
        assertEquals(200, owner.status());
        assertTrue(owner.body().contains("git clone ssh://alice@"), owner.body());
        assertTrue(owner.hasHeader("Content-Security-Policy: default-src 'none'"), owner.headers());
    }

    @Test
    void hostileRevisionsAndNamesGetAPageThatSaysWhatWasWrong() {
        Curl.Response rev = Curl.run(url("/" + pub.repo() + "/-/commits/%3Cscript%3E"));
        assertEquals(404, rev.status());
        assertTrue(rev.body().contains("revision &#39;&lt;script&gt;&#39; not found"), rev.body());
        assertFalse(rev.body().contains("<script>"));
        assertEquals(400, Curl.run(url("/" + pub.repo() + "/-/compare/main")).status());
        assertEquals(400, Curl.run(url("/" + pub.repo() + "/-/commits/main?page=0")).status());
    }
}
