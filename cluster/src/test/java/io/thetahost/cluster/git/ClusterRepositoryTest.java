package io.thetahost.cluster.git;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.cluster.database.ClusterDatabase;
import io.thetahost.cluster.objects.ObjectStore;
import io.thetahost.cluster.objects.ObjectStoreLocation;
import io.thetahost.cluster.objects.S3ObjectStore;
import io.thetahost.cluster.support.LocalCluster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.internal.storage.dfs.DfsGarbageCollector;
import org.eclipse.jgit.internal.storage.dfs.DfsObjDatabase.PackSource;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.internal.storage.pack.PackWriter;
import org.eclipse.jgit.lib.BatchRefUpdate;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TagBuilder;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repositories through JGit's API on a real PostgreSQL and s3proxy (bench/cluster.sh), seen by two fronts: two
 * {@link ClusterRepositories}, each with its own database connections and object store client, as two processes
 * would have.
 */
class ClusterRepositoryTest {
    static LocalCluster cluster;
    static ClusterDatabase db;
    static S3ObjectStore store1;
    static S3ObjectStore store2;
    static ClusterRepositories front1;
    static ClusterRepositories front2;
    @TempDir
    static Path spool;

    @BeforeAll
    static void up() throws Exception {
        cluster = LocalCluster.up();
        System.setProperty("aws.accessKeyId", cluster.value("AWS_ACCESS_KEY_ID"));
        System.setProperty("aws.secretAccessKey", cluster.value("AWS_SECRET_ACCESS_KEY"));
        db = cluster.database();
        store1 = newStore();
        store2 = newStore();
        front1 = new ClusterRepositories(cluster.database(), store1, spool.resolve("front1"));
        front2 = new ClusterRepositories(cluster.database(), store2, spool.resolve("front2"));
    }

    static S3ObjectStore newStore() {
        return new S3ObjectStore(ObjectStoreLocation.parse("s3://thetahost", cluster.value("--s3-endpoint"), null));
    }

    @AfterAll
    static void down() throws Exception {
        store1.close();
        store2.close();
        cluster.close();
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A commit of one tree {@code files}, flushed as one pack. */
    private static ObjectId commit(Repository repo, Map<String, byte[]> files, ObjectId... parents)
            throws IOException {
        try (ObjectInserter ins = repo.newObjectInserter()) {
            TreeFormatter tree = new TreeFormatter();
            for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
                tree.append(f.getKey(), FileMode.REGULAR_FILE, ins.insert(Constants.OBJ_BLOB, f.getValue()));
            }
            CommitBuilder c = new CommitBuilder();
            c.setTreeId(ins.insert(tree));
            c.setParentIds(parents);
            PersonIdent who = new PersonIdent("Alice", "alice@example.com");
            c.setAuthor(who);
            c.setCommitter(who);
            c.setMessage("files " + files.keySet() + "\n");
            ObjectId id = ins.insert(c);
            ins.flush();
            return id;
        }
    }

    private static ObjectId commit(Repository repo, String text, ObjectId... parents) throws IOException {
        return commit(repo, Map.of("file.txt", text.getBytes(StandardCharsets.UTF_8)), parents);
    }

    private static RefUpdate.Result setRef(Repository repo, String name, ObjectId id) throws IOException {
        RefUpdate u = repo.updateRef(name);
        u.setNewObjectId(id);
        u.setForceUpdate(true);
        return u.update();
    }

    private static ObjectId ref(ClusterRepositories front, String repository, String name) throws IOException {
        try (ClusterRepository repo = front.open(repository)) {
            Ref ref = repo.exactRef(name);
            return ref == null ? null : ref.getObjectId();
        }
    }

    private static BatchRefUpdate batch(Repository repo, boolean atomic, ReceiveCommand... commands)
            throws IOException {
        BatchRefUpdate b = repo.getRefDatabase().newBatchUpdate().setAtomic(atomic);
        b.addCommand(commands);
        try (RevWalk walk = new RevWalk(repo)) {
            b.execute(walk, NullProgressMonitor.INSTANCE);
        }
        return b;
    }

    /** Every object reachable from {@code tip}, read through {@code front}: fails on any missing one. */
    private static int readAll(ClusterRepositories front, String repository, ObjectId tip) throws IOException {
        try (ClusterRepository repo = front.open(repository);
                org.eclipse.jgit.revwalk.ObjectWalk walk = new org.eclipse.jgit.revwalk.ObjectWalk(repo)) {
            walk.markStart(walk.parseAny(tip));
            int n = 0;
            for (RevCommit c = walk.next(); c != null; c = walk.next()) {
                n++;
            }
            for (RevObject o = walk.nextObject(); o != null; o = walk.nextObject()) {
                walk.getObjectReader().open(o).getBytes(Integer.MAX_VALUE);
                n++;
            }
            return n;
        }
    }

    /** The repository's git_packs rows: pack name to extensions. */
    private static Map<String, List<String>> packRows(String repository) throws Exception {
        Map<String, List<String>> rows = new TreeMap<>();
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT pack, extensions FROM git_packs WHERE repository = ?")) {
            s.setString(1, repository);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.put(r.getString(1), List.of((String[]) r.getArray(2).getArray()));
                }
            }
        }
        return rows;
    }

    private static void assertEveryPackRowNamesStoredObjects(String repository) throws Exception {
        for (Map.Entry<String, List<String>> row : packRows(repository).entrySet()) {
            for (String ext : row.getValue()) {
                String key = "git/" + repository + "/" + row.getKey() + "." + ext;
                assertTrue(store1.size(key).isPresent(), "a git_packs row names " + key + ", which is missing");
            }
        }
    }

    // --- tests -------------------------------------------------------------------------------------------------

    @Test
    void repositoriesAreRowsHoldingTheirConfig() throws Exception {
        front1.create("alice/model", "[thetahost]\n\tpublic = true\n");
        front1.create("alice/Zeta", "");
        assertTrue(front2.exists("alice/model"));
        assertFalse(front2.exists("alice/none"));
        RepositoryExistsException taken = assertThrows(RepositoryExistsException.class,
                () -> front2.create("alice/model", ""));
        assertTrue(taken.getMessage().contains("alice/model"), taken.getMessage());
        assertThrows(RepositoryNotFoundException.class, () -> front1.open("alice/none"));
        assertThrows(RepositoryNotFoundException.class, () -> front1.config("alice/none"));
        assertThrows(IllegalArgumentException.class, () -> front1.create("alice/bad", "[unclosed"));
        assertFalse(front1.exists("alice/bad"));
        List<String> names = front2.names();
        assertEquals(names.stream().sorted().toList(), names);
        assertTrue(names.containsAll(List.of("alice/Zeta", "alice/model")), names.toString());

        try (ClusterRepository repo = front2.open("alice/model")) {
            assertTrue(repo.getConfig().getBoolean("thetahost", "public", false));
            Ref head = repo.exactRef(Constants.HEAD);
            assertTrue(head.isSymbolic());
            assertEquals("refs/heads/main", head.getTarget().getName());
            assertNull(head.getObjectId(), "an empty repository's HEAD is unborn");
        }

        front2.updateConfig("alice/model", text -> text + "[thetahost-access \"bob\"]\n\tpermission = write\n");
        assertTrue(front1.config("alice/model").contains("[thetahost-access \"bob\"]"));
        assertThrows(IllegalArgumentException.class, () -> front1.updateConfig("alice/model", text -> "[oops"));
        assertTrue(front1.config("alice/model").contains("permission = write"), "a refused change changes nothing");

        try (ClusterRepository repo = front1.open("alice/model")) {
            front2.updateConfig("alice/model", text -> text + "[thetahost-protect \"main\"]\n\tallowForcePush = false\n");
            repo.getConfig().setString("thetahost-access", "carol", "permission", "read");
            IOException stale = assertThrows(IOException.class, () -> repo.getConfig().save());
            assertTrue(stale.getMessage().contains("load it again"), stale.getMessage());
            repo.getConfig().load();
            repo.getConfig().setString("thetahost-access", "carol", "permission", "read");
            repo.getConfig().save();
        }
        String config = front2.config("alice/model");
        assertTrue(config.contains("carol") && config.contains("thetahost-protect"), config);

        assertTrue(front2.delete("alice/Zeta"));
        assertFalse(front1.exists("alice/Zeta"));
        assertFalse(front1.delete("alice/Zeta"));
    }

    @Test
    void objectsWrittenThroughOneFrontReadByteForByteThroughAnother() throws Exception {
        front1.create("alice/weights", "");
        // Larger than a block of reading (1 MiB) and than one part of an upload (8 MiB): ranges across both.
        byte[] weights = random(9 << 20, 7);
        byte[] text = "hello\n".getBytes(StandardCharsets.UTF_8);
        ObjectId tip;
        try (ClusterRepository repo = front1.open("alice/weights")) {
            tip = commit(repo, Map.of("weights.bin", weights, "README", text));
            assertEquals(RefUpdate.Result.NEW, setRef(repo, "refs/heads/main", tip));
        }
        try (ClusterRepository repo = front2.open("alice/weights"); ObjectReader reader = repo.newObjectReader();
                RevWalk walk = new RevWalk(reader)) {
            assertEquals(tip, repo.resolve(Constants.HEAD), "HEAD -> refs/heads/main, through the other front");
            RevCommit commit = walk.parseCommit(tip);
            try (org.eclipse.jgit.treewalk.TreeWalk files = new org.eclipse.jgit.treewalk.TreeWalk(reader)) {
                files.addTree(commit.getTree());
                Map<String, byte[]> read = new TreeMap<>();
                while (files.next()) {
                    try (InputStream in = reader.open(files.getObjectId(0)).openStream()) {
                        read.put(files.getPathString(), in.readAllBytes());
                    }
                }
                assertEquals(Set.of("README", "weights.bin"), read.keySet());
                assertArrayEquals(text, read.get("README"));
                assertArrayEquals(weights, read.get("weights.bin"));
            }
        }
        Map<String, List<String>> rows = packRows("alice/weights");
        assertEquals(1, rows.size(), "one flush, one pack: " + rows);
        assertTrue(rows.values().iterator().next().containsAll(List.of("pack", "idx")), rows.toString());
        assertEveryPackRowNamesStoredObjects("alice/weights");

        assertTrue(front2.delete("alice/weights"));
        assertEquals(List.of(), store1.list("git/alice/weights/", null, 10), "deleting removes the pack files");
    }

    @Test
    void twoFrontsUpdatingOneRefAtOnce_exactlyOneWinsEachRound() throws Exception {
        String name = "alice/race";
        front1.create(name, "");
        try (ClusterRepository repo = front1.open(name)) {
            setRef(repo, "refs/heads/main", commit(repo, "start"));
        }
        List<ClusterRepositories> fronts = List.of(front1, front2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 15; round++) {
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<Object[]>> pushes = new ArrayList<>();
                for (int f = 0; f < 2; f++) {
                    ClusterRepositories front = fronts.get(f);
                    String content = "round " + round + " front " + f;
                    pushes.add(threads.submit(() -> {
                        try (ClusterRepository repo = front.open(name)) {
                            ObjectId parent = repo.exactRef("refs/heads/main").getObjectId();
                            ObjectId mine = commit(repo, content, parent);
                            together.await(30, TimeUnit.SECONDS);
                            BatchRefUpdate b = batch(repo, false,
                                    new ReceiveCommand(parent, mine, "refs/heads/main"));
                            return new Object[] {mine, b.getCommands().get(0).getResult()};
                        }
                    }));
                }
                List<ObjectId> winners = new ArrayList<>();
                int loserFront = -1;
                for (int f = 0; f < 2; f++) {
                    Object[] outcome = pushes.get(f).get(60, TimeUnit.SECONDS);
                    ReceiveCommand.Result result = (ReceiveCommand.Result) outcome[1];
                    if (result == ReceiveCommand.Result.OK) {
                        winners.add((ObjectId) outcome[0]);
                    } else {
                        assertTrue(result == ReceiveCommand.Result.LOCK_FAILURE
                                || result == ReceiveCommand.Result.REJECTED_NONFASTFORWARD, "round " + round
                                + ": the loser gets " + result);
                        loserFront = f;
                    }
                }
                assertEquals(1, winners.size(), "round " + round + ": exactly one wins");
                // The loser's front is the other one: it reads what the winner's front wrote.
                ClusterRepositories other = fronts.get(loserFront);
                assertEquals(winners.get(0), ref(other, name, "refs/heads/main"));
                assertEquals(3 * (round + 2), readAll(other, name, winners.get(0)),
                        "round " + round + ": the winner's commits, trees and blobs, read through the other front");
            }
        } finally {
            threads.shutdownNow();
        }
        assertEveryPackRowNamesStoredObjects(name);
    }

    @Test
    void aBatchThatIsNotAtomicCommitsWhatItCan_anAtomicOneAllOrNothing() throws Exception {
        String name = "alice/batch";
        front1.create(name, "");
        ObjectId c1;
        ObjectId c2;
        ObjectId c3;
        try (ClusterRepository repo = front1.open(name)) {
            c1 = commit(repo, "one");
            c2 = commit(repo, "two", c1);
            c3 = commit(repo, "three", c2);
            BatchRefUpdate create = batch(repo, true,
                    new ReceiveCommand(ObjectId.zeroId(), c1, "refs/heads/a"),
                    new ReceiveCommand(ObjectId.zeroId(), c1, "refs/heads/b"));
            create.getCommands().forEach(c -> assertEquals(ReceiveCommand.Result.OK, c.getResult(), c.toString()));
        }
        try (ClusterRepository repo = front2.open(name)) {
            ReceiveCommand a = new ReceiveCommand(c1, c2, "refs/heads/a");
            ReceiveCommand staleB = new ReceiveCommand(c2, c3, "refs/heads/b");
            ReceiveCommand newC = new ReceiveCommand(ObjectId.zeroId(), c1, "refs/heads/c");
            batch(repo, false, a, staleB, newC);
            assertEquals(ReceiveCommand.Result.OK, a.getResult());
            assertEquals(ReceiveCommand.Result.LOCK_FAILURE, staleB.getResult(), "b is c1, not c2");
            assertEquals(ReceiveCommand.Result.OK, newC.getResult());
        }
        assertEquals(c2, ref(front1, name, "refs/heads/a"));
        assertEquals(c1, ref(front1, name, "refs/heads/b"));
        assertEquals(c1, ref(front1, name, "refs/heads/c"));

        try (ClusterRepository repo = front1.open(name)) {
            ReceiveCommand a = new ReceiveCommand(c2, c3, "refs/heads/a");
            ReceiveCommand staleB = new ReceiveCommand(c2, c3, "refs/heads/b");
            ReceiveCommand newD = new ReceiveCommand(ObjectId.zeroId(), c1, "refs/heads/d");
            batch(repo, true, a, staleB, newD);
            assertEquals(ReceiveCommand.Result.LOCK_FAILURE, staleB.getResult());
            assertTrue(ReceiveCommand.isTransactionAborted(a), a.getResult() + " " + a.getMessage());
            assertTrue(ReceiveCommand.isTransactionAborted(newD), newD.getResult() + " " + newD.getMessage());
        }
        assertEquals(c2, ref(front2, name, "refs/heads/a"), "an atomic batch that failed changed nothing");
        assertNull(ref(front2, name, "refs/heads/d"));

        try (ClusterRepository repo = front2.open(name)) {
            ReceiveCommand back = new ReceiveCommand(c2, c1, "refs/heads/a", ReceiveCommand.Type.UPDATE);
            batch(repo, false, back);
            assertEquals(ReceiveCommand.Result.REJECTED_NONFASTFORWARD, back.getResult());
            ReceiveCommand nested = new ReceiveCommand(ObjectId.zeroId(), c1, "refs/heads/a/x");
            ReceiveCommand deleteB = new ReceiveCommand(c1, ObjectId.zeroId(), "refs/heads/b");
            ReceiveCommand missing = new ReceiveCommand(ObjectId.zeroId(),
                    ObjectId.fromString("0123456789012345678901234567890123456789"), "refs/heads/m");
            batch(repo, false, nested, deleteB, missing);
            assertEquals(ReceiveCommand.Result.LOCK_FAILURE, nested.getResult(), "refs/heads/a exists");
            assertEquals(ReceiveCommand.Result.OK, deleteB.getResult());
            assertEquals(ReceiveCommand.Result.REJECTED_MISSING_OBJECT, missing.getResult());
        }
        try (ClusterRepository repo = front1.open(name)) {
            BatchRefUpdate forced = repo.getRefDatabase().newBatchUpdate().setAllowNonFastForwards(true);
            ReceiveCommand back = new ReceiveCommand(c2, c1, "refs/heads/a", ReceiveCommand.Type.UPDATE);
            forced.addCommand(back);
            try (RevWalk walk = new RevWalk(repo)) {
                forced.execute(walk, NullProgressMonitor.INSTANCE);
            }
            assertEquals(ReceiveCommand.Result.OK, back.getResult());
            assertEquals(c1, repo.exactRef("refs/heads/a").getObjectId(), "the cache was refreshed");
        }
        assertNull(ref(front2, name, "refs/heads/b"));
        assertEquals(c1, ref(front2, name, "refs/heads/a"));
    }

    @Test
    void gcReplacesThePacksItRewrites_inOneTransaction_keepingWhatJGitWrites() throws Exception {
        String name = "alice/gc";
        front1.create(name, "");
        ObjectId tip = null;
        try (ClusterRepository repo = front1.open(name)) {
            for (int i = 0; i < 3; i++) {
                tip = i == 0 ? commit(repo, "v0") : commit(repo, "v" + i, tip);
                setRef(repo, "refs/heads/main", tip);
            }
        }
        Map<String, List<String>> before = packRows(name);
        assertEquals(3, before.size(), before.toString());
        try (ClusterRepository repo = front1.open(name)) {
            assertTrue(new DfsGarbageCollector(repo).pack(NullProgressMonitor.INSTANCE));
        }
        Map<String, List<String>> after = packRows(name);
        assertTrue(after.keySet().stream().noneMatch(before::containsKey), "the rewritten packs' rows are gone");
        assertTrue(after.values().stream().anyMatch(exts -> exts.contains("bitmap")), after.toString());
        assertEveryPackRowNamesStoredObjects(name);
        for (String pack : before.keySet()) {
            assertTrue(store1.size("git/" + name + "/" + pack + ".pack").isPresent(),
                    "a replaced pack's files stay for readers that listed it, until gc deletes them");
        }
        assertEquals(9, readAll(front2, name, tip));
        try (ClusterRepository repo = front2.open(name)) {
            assertEquals(PackSource.GC, repo.getObjectDatabase().getPacks()[0].getPackDescription().getPackSource());
        }
    }

    @Test
    void collectGarbageDropsWhatNoRefReachesAndOldFilesNoRowNames_butKeepsWhatReadersMayStillUse() throws Exception {
        String name = "alice/collect";
        front1.create(name, "");
        ObjectId kept;
        ObjectId dropped;
        try (ClusterRepository repo = front1.open(name)) {
            kept = commit(repo, "kept");
            setRef(repo, "refs/heads/main", kept);
            dropped = commit(repo, "pushed, then refused");
        }
        byte[] junk = random(1000, 7);
        String oldOrphan = "git/" + name + "/pack-0000000000001-" + "0".repeat(32) + ".pack";
        String newOrphan = "git/" + name + "/pack-" + System.currentTimeMillis() + "-" + "1".repeat(32) + ".pack";
        store1.put(oldOrphan, new java.io.ByteArrayInputStream(junk), junk.length);
        store1.put(newOrphan, new java.io.ByteArrayInputStream(junk), junk.length);
        Map<String, List<String>> before = packRows(name);

        try (ClusterRepository repo = front2.open(name)) {
            front2.collectGarbage(repo, java.time.Instant.now().minusSeconds(3600));
        }
        try (ClusterRepository repo = front1.open(name)) {
            assertTrue(repo.getObjectDatabase().has(dropped), "an unreachable object within the grace period stays");
        }
        assertTrue(store1.size(oldOrphan).isEmpty(), "a file no row names, from before the grace period, goes");
        assertTrue(store1.size(newOrphan).isPresent(), "a recent one may be a push in flight: it stays");
        for (String pack : before.keySet()) {
            assertTrue(store1.size("git/" + name + "/" + pack + ".pack").isPresent(),
                    "packs this run replaced stay for readers that listed them");
        }

        try (ClusterRepository repo = front2.open(name)) {
            front2.collectGarbage(repo, java.time.Instant.now().plusSeconds(60));
        }
        try (ClusterRepository repo = front1.open(name)) {
            assertFalse(repo.getObjectDatabase().has(dropped), "past the grace period, the unreachable is gone");
            assertTrue(repo.getObjectDatabase().has(kept));
        }
        assertTrue(store1.size(newOrphan).isEmpty());
        for (String pack : before.keySet()) {
            assertTrue(store1.size("git/" + name + "/" + pack + ".pack").isEmpty(), "replaced a run ago: gone");
        }
        assertEveryPackRowNamesStoredObjects(name);
        assertEquals(3, readAll(front2, name, kept));
    }

    /** An object store that fails the n-th write from when it is armed, as a network failure would. */
    static final class FailingStore implements ObjectStore {
        final ObjectStore store;
        final AtomicInteger countdown = new AtomicInteger(Integer.MAX_VALUE);

        FailingStore(ObjectStore store) {
            this.store = store;
        }

        void failWrite(int n) {
            countdown.set(n);
        }

        @Override
        public void put(String key, InputStream bytes, long length) throws IOException {
            if (countdown.decrementAndGet() == 0) {
                throw new IOException("injected failure writing " + key);
            }
            store.put(key, bytes, length);
        }

        @Override
        public InputStream get(String key, long from, long to) throws IOException {
            return store.get(key, from, to);
        }

        @Override
        public Optional<Long> size(String key) throws IOException {
            return store.size(key);
        }

        @Override
        public List<String> list(String prefix, String after, int limit) throws IOException {
            return store.list(prefix, after, limit);
        }

        @Override
        public void delete(String key) throws IOException {
            store.delete(key);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aPackWhoseUploadFails_leavesNoRowNoObjectAndTheRefsAsTheyWere() throws Exception {
        String name = "alice/fail";
        front1.create(name, "");
        ObjectId tip;
        try (ClusterRepository repo = front1.open(name)) {
            tip = commit(repo, "before");
            setRef(repo, "refs/heads/main", tip);
        }
        Map<String, List<String>> rowsBefore = packRows(name);
        List<String> objectsBefore = store1.list("git/" + name + "/", null, 100);

        // A pushed pack, as ReceivePack parses it: made elsewhere, parsed into the repository.
        byte[] pack;
        try (InMemoryRepository elsewhere = new InMemoryRepository(new DfsRepositoryDescription("elsewhere"))) {
            ObjectId other = commit(elsewhere, Map.of("big.bin", random(3 << 20, 11)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (PackWriter writer = new PackWriter(elsewhere)) {
                writer.preparePack(NullProgressMonitor.INSTANCE, Set.of(other), Set.of());
                writer.writePack(NullProgressMonitor.INSTANCE, NullProgressMonitor.INSTANCE, out);
            }
            pack = out.toByteArray();
        }

        FailingStore failing = new FailingStore(store1);
        ClusterRepositories flaky = new ClusterRepositories(cluster.database(), failing, spool.resolve("flaky"));
        for (int failAt = 1; failAt <= 2; failAt++) {
            // The first write is the pack file, the second its index.
            int write = failAt;
            failing.failWrite(write);
            try (ClusterRepository repo = flaky.open(name)) {
                assertInjected(assertThrows(IOException.class, () -> {
                    try (ObjectInserter ins = repo.newObjectInserter()) {
                        ins.newPackParser(new ByteArrayInputStream(pack)).parse(NullProgressMonitor.INSTANCE);
                    }
                }));
            }
            failing.failWrite(write);
            try (ClusterRepository repo = flaky.open(name)) {
                assertInjected(assertThrows(IOException.class, () -> commit(repo, "inserted " + write, tip)));
            }
            assertEquals(rowsBefore, packRows(name), "no pack row after failing write " + failAt);
            assertEquals(objectsBefore, store1.list("git/" + name + "/", null, 100),
                    "what was uploaded before failing write " + failAt + " was deleted");
            assertEquals(tip, ref(front2, name, "refs/heads/main"));
        }
        try (ClusterRepository repo = front2.open(name)) {
            assertEquals(3, readAll(front2, name, tip));
            assertTrue(repo.getObjectDatabase().getPacks().length == 1);
        }
        assertTrue(Files.list(spool.resolve("flaky")).findAny().isEmpty(), "spool files are removed");
    }

    private static void assertInjected(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("injected failure")) {
                return;
            }
        }
        throw new AssertionError("not the injected failure", e);
    }

    @Test
    void annotatedTagsAreAdvertisedWithWhatTheyPeelTo() throws Exception {
        String name = "alice/tags";
        front1.create(name, "");
        ObjectId commit;
        ObjectId tag;
        ObjectId tagOfTag;
        try (ClusterRepository repo = front1.open(name)) {
            commit = commit(repo, "tagged");
            setRef(repo, "refs/heads/main", commit);
            try (ObjectInserter ins = repo.newObjectInserter()) {
                tag = ins.insert(tag(commit, Constants.OBJ_COMMIT, "v1"));
                tagOfTag = ins.insert(tag(tag, Constants.OBJ_TAG, "v1-signed"));
                ins.flush();
            }
            // One through JGit's RefUpdate (DfsRefUpdate peels), one through a batch (ours peels).
            assertEquals(RefUpdate.Result.NEW, setRef(repo, "refs/tags/v1", tag));
            batch(repo, false, new ReceiveCommand(ObjectId.zeroId(), tagOfTag, "refs/tags/v1-signed"));
        }
        try (ClusterRepository repo = front2.open(name)) {
            for (String t : List.of("refs/tags/v1", "refs/tags/v1-signed")) {
                Ref ref = repo.exactRef(t);
                assertTrue(ref.isPeeled(), t);
                assertEquals(commit, ref.getPeeledObjectId(), t);
                assertEquals(commit, repo.getRefDatabase().peel(ref).getPeeledObjectId());
            }
            assertTrue(repo.exactRef("refs/heads/main").isPeeled());
            assertNull(repo.exactRef("refs/heads/main").getPeeledObjectId(), "a commit peels to nothing");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            UploadPack up = new UploadPack(repo);
            up.sendAdvertisedRefs(new RefAdvertiser.PacketLineOutRefAdvertiser(new PacketLineOut(out)));
            String advertised = out.toString(StandardCharsets.UTF_8);
            assertTrue(advertised.contains(tag.name() + " refs/tags/v1\n"), advertised);
            assertTrue(advertised.contains(commit.name() + " refs/tags/v1^{}\n"), advertised);
            assertTrue(advertised.contains(tagOfTag.name() + " refs/tags/v1-signed\n"), advertised);
            assertTrue(advertised.contains(commit.name() + " refs/tags/v1-signed^{}\n"), advertised);
            assertNotNull(repo.exactRef(Constants.HEAD).getObjectId());
        }
    }

    private static TagBuilder tag(ObjectId target, int type, String name) {
        TagBuilder t = new TagBuilder();
        t.setObjectId(target, type);
        t.setTag(name);
        t.setTagger(new PersonIdent("Alice", "alice@example.com"));
        t.setMessage("release " + name + "\n");
        return t;
    }
}
