package io.thetahost.cluster.git;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.cluster.objects.ObjectStoreLocation;
import io.thetahost.cluster.objects.S3ObjectStore;
import io.thetahost.cluster.support.LocalCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.transport.Daemon;
import org.eclipse.jgit.transport.DaemonService;
import org.eclipse.jgit.transport.ServiceMayNotContinueException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code git} command line against two fronts. Each front is a {@link ClusterRepositories} of its own (own
 * database connections, own object store client) served by JGit's {@link Daemon}, the {@code git://} protocol on a
 * loopback port, with receive-pack enabled: so {@code git clone}, {@code fetch}, {@code ls-remote} and {@code push}
 * talk to JGit's UploadPack and ReceivePack over a socket exactly as they would to {@code git daemon}, with no helper
 * program in between, and the repository behind is a {@link ClusterRepository} opened per connection.
 */
class ClusterGitTest {
    static LocalCluster cluster;
    static S3ObjectStore store1;
    static S3ObjectStore store2;
    static Daemon daemon1;
    static Daemon daemon2;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void up() throws Exception {
        cluster = LocalCluster.up();
        System.setProperty("aws.accessKeyId", cluster.value("AWS_ACCESS_KEY_ID"));
        System.setProperty("aws.secretAccessKey", cluster.value("AWS_SECRET_ACCESS_KEY"));
        String endpoint = cluster.value("--s3-endpoint");
        store1 = new S3ObjectStore(ObjectStoreLocation.parse("s3://thetahost", endpoint, null));
        store2 = new S3ObjectStore(ObjectStoreLocation.parse("s3://thetahost", endpoint, null));
        ClusterRepositories.configureBlockCache(64L << 20);
        daemon1 = serve(new ClusterRepositories(cluster.database(), store1, tmp.resolve("spool1")));
        daemon2 = serve(new ClusterRepositories(cluster.database(), store2, tmp.resolve("spool2")));
        Files.createDirectories(tmp.resolve("home"));
    }

    /** A front: git:// on a loopback port, anyone may fetch and push (access checks are the daemon's, not here). */
    static Daemon serve(ClusterRepositories repositories) throws IOException {
        Daemon daemon = new Daemon(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        daemon.setRepositoryResolver((client, name) -> {
            try {
                return repositories.open(name);
            } catch (RepositoryNotFoundException e) {
                // JGit's Daemon turns a plain not-found into a null repository it then fails on.
                throw new ServiceMayNotContinueException("no repository " + name, e);
            } catch (IOException e) {
                throw new ServiceMayNotContinueException(e.getMessage(), e);
            }
        });
        DaemonService receive = daemon.getService("git-receive-pack");
        receive.setEnabled(true);
        receive.setOverridable(false);
        daemon.start();
        return daemon;
    }

    @AfterAll
    static void down() throws Exception {
        daemon1.stopAndWait();
        daemon2.stopAndWait();
        store1.close();
        store2.close();
        cluster.close();
    }

    static String url(Daemon daemon, String repository) {
        return "git://127.0.0.1:" + daemon.getAddress().getPort() + "/" + repository;
    }

    record Git(int exit, String out, String err) {
        Git ok() {
            assertEquals(0, exit, "git failed: " + err + out);
            return this;
        }
    }

    /** Starts git in {@code dir}, isolated from the machine's and the user's git config. */
    static Process start(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Alice", "-c",
                "user.email=alice@example.com", "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false"));
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = b.environment();
        env.put("HOME", tmp.resolve("home").toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_TERMINAL_PROMPT", "0");
        return b.start();
    }

    static Git finish(Process p) throws Exception {
        // stderr is small (progress, errors); read it beside stdout so that neither pipe fills.
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "git did not finish");
        return new Git(p.exitValue(), out, err.get());
    }

    static Git git(Path dir, String... args) throws Exception {
        return finish(start(dir, args));
    }

    static String head(Path dir, String rev) throws Exception {
        return git(dir, "rev-parse", rev).ok().out().trim();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void pushedThroughOneFront_clonedFetchedAndListedThroughTheOther() throws Exception {
        String name = "alice/model";
        new ClusterRepositories(cluster.database(), store1, tmp.resolve("admin")).create(name,
                "[thetahost]\n\tpublic = true\n");
        Path work = Files.createDirectories(tmp.resolve("work"));
        git(work, "init", "-q").ok();
        byte[] weights = random(3 << 20, 1);
        Files.write(work.resolve("weights.bin"), weights);
        Files.writeString(work.resolve("README.md"), "# model\n");
        git(work, "add", ".").ok();
        git(work, "commit", "-q", "-m", "first").ok();
        git(work, "tag", "-a", "v1", "-m", "release 1").ok();
        git(work, "push", url(daemon1, name), "main", "v1").ok();

        Path clone = tmp.resolve("clone");
        git(tmp, "clone", "-q", url(daemon2, name), clone.toString()).ok();
        assertEquals(head(work, "HEAD"), head(clone, "HEAD"));
        assertArrayEquals(weights, Files.readAllBytes(clone.resolve("weights.bin")));
        assertEquals("# model\n", Files.readString(clone.resolve("README.md")));
        git(clone, "fsck", "--full", "--strict").ok();

        // Both protocols advertise the annotated tag and what it peels to.
        String tag = head(work, "v1");
        String commit = head(work, "HEAD");
        for (String version : List.of("0", "2")) {
            String listed = git(work, "-c", "protocol.version=" + version, "ls-remote", url(daemon2, name)).ok()
                    .out();
            assertTrue(listed.contains(commit + "\tHEAD\n"), version + ": " + listed);
            assertTrue(listed.contains(tag + "\trefs/tags/v1\n"), version + ": " + listed);
            assertTrue(listed.contains(commit + "\trefs/tags/v1^{}\n"), version + ": " + listed);
        }

        // A change to part of the weights: git pushes a thin pack of deltas against what the front has, which
        // JGit completes with the bases it reads back from this front's spool and the object store.
        byte[] changed = weights.clone();
        System.arraycopy(random(4096, 2), 0, changed, 1 << 20, 4096);
        Files.write(clone.resolve("weights.bin"), changed);
        git(clone, "commit", "-q", "-am", "second").ok();
        git(clone, "push", "origin", "main", "main:refs/heads/feature").ok();
        git(work, "fetch", "-q", url(daemon1, name), "main").ok();
        assertEquals(head(clone, "HEAD"), head(work, "FETCH_HEAD"));
        git(work, "merge", "-q", "--ff-only", "FETCH_HEAD").ok();
        assertArrayEquals(changed, Files.readAllBytes(work.resolve("weights.bin")));
        git(work, "fsck", "--full").ok();

        git(work, "push", url(daemon1, name), ":refs/heads/feature").ok();
        assertFalse(git(work, "ls-remote", url(daemon2, name)).ok().out().contains("refs/heads/feature"));

        // An atomic push of two refs, offered because the ref database performs atomic transactions.
        git(work, "push", "--atomic", url(daemon2, name), "main:refs/heads/a", "main:refs/heads/b").ok();
        String listed = git(work, "ls-remote", url(daemon1, name)).ok().out();
        assertTrue(listed.contains(commit(work) + "\trefs/heads/a\n") && listed.contains("refs/heads/b\n"), listed);

        Git missing = git(work, "ls-remote", url(daemon1, "alice/none"));
        assertTrue(missing.exit() != 0, "no such repository: " + missing);
    }

    private static String commit(Path dir) throws Exception {
        return head(dir, "HEAD");
    }

    @Test
    void twoGitPushesToOneRefThroughTwoFronts_oneWinsTheOtherIsRejected() throws Exception {
        String name = "alice/race";
        new ClusterRepositories(cluster.database(), store1, tmp.resolve("admin")).create(name, "");
        Path seed = Files.createDirectories(tmp.resolve("seed"));
        git(seed, "init", "-q").ok();
        Files.writeString(seed.resolve("f"), "start\n");
        git(seed, "add", ".").ok();
        git(seed, "commit", "-q", "-m", "start").ok();
        git(seed, "push", "-q", url(daemon1, name), "main").ok();
        List<Daemon> fronts = List.of(daemon1, daemon2);
        List<Path> clones = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path clone = tmp.resolve("racer" + i);
            git(tmp, "clone", "-q", url(fronts.get(i), name), clone.toString()).ok();
            clones.add(clone);
        }
        for (int round = 0; round < 4; round++) {
            List<String> mine = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Path clone = clones.get(i);
                git(clone, "fetch", "-q", "origin").ok();
                git(clone, "reset", "-q", "--hard", "origin/main").ok();
                Files.writeString(clone.resolve("f"), "round " + round + " racer " + i + "\n");
                git(clone, "commit", "-q", "-am", "round " + round).ok();
                mine.add(commit(clone));
            }
            List<Process> pushes = List.of(start(clones.get(0), "push", "origin", "main"),
                    start(clones.get(1), "push", "origin", "main"));
            List<Git> results = new ArrayList<>();
            for (Process p : pushes) {
                results.add(finish(p));
            }
            List<Integer> winners = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                if (results.get(i).exit() == 0) {
                    winners.add(i);
                } else {
                    String err = results.get(i).err();
                    assertTrue(err.contains("failed to lock") || err.contains("rejected"), "round " + round
                            + ": " + err);
                }
            }
            assertEquals(1, winners.size(), "round " + round + ": " + results);
            String won = mine.get(winners.get(0));
            for (Daemon front : fronts) {
                assertTrue(git(seed, "ls-remote", url(front, name), "refs/heads/main").ok().out()
                        .startsWith(won + "\t"), "round " + round);
            }
        }
    }
}
