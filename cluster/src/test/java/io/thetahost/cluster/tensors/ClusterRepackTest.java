package io.thetahost.cluster.tensors;

import static io.thetahost.objectdb.TestTensors.dense;
import static io.thetahost.objectdb.TestTensors.readAll;
import static io.thetahost.objectdb.TestTensors.stream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.objectdb.TestTensors;
import io.thetahost.cluster.objects.ObjectStore;
import io.thetahost.objectdb.TestTensors.Tensor;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.objectdb.repack.Neighbours;
import io.thetahost.objectdb.repack.RepackReport;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repack of the cluster store on a real PostgreSQL and S3-compatible server, by the RocksDB store's rules
 * (object-db's RepackTest): dense neighbours become patches that read the same through another front, savings too
 * small change nothing, chains keep their bound, one repack runs at a time across fronts, and a failure leaves the
 * row as it was. Each test has its own seed: the tests share one database.
 */
class ClusterRepackTest {
    static TensorCluster cluster;

    @TempDir
    Path dir;

    private final List<String> progress = new ArrayList<>();

    @BeforeAll
    static void up() throws Exception {
        cluster = TensorCluster.up();
    }

    @AfterAll
    static void down() throws Exception {
        cluster.close();
    }

    /** A front with its own object store client, which closing the front closes too. */
    private final class Front implements AutoCloseable {
        final ObjectStore objects;
        final ClusterTensorStore store;

        Front(String name, StoreOptions options, ObjectStore objects, Clock clock) throws IOException {
            this.objects = objects;
            this.store = new ClusterTensorStore(cluster.database, objects, options, name, dir.resolve(name), 1 << 20,
                    clock);
        }

        Front(String name, StoreOptions options) throws IOException {
            this(name, options, cluster.client(), Clock.systemUTC());
        }

        Front(String name) throws IOException {
            this(name, StoreOptions.defaults());
        }

        @Override
        public void close() {
            store.close();
            objects.close();
        }
    }

    private static String objectKey(TensorId id) throws Exception {
        return cluster.strings("SELECT object_key FROM tensors WHERE id = ?", id.toString()).get(0);
    }

    @Test
    void denseNeighboursBecomePatchesThatReadTheSameThroughAnotherFront() throws Exception {
        SplittableRandom random = new SplittableRandom(21);
        try (Front a = new Front("a"); Front b = new Front("b")) {
            Tensor v1 = TestTensors.randomF32(random, 128, 96);
            Tensor v2 = v1.perturbed(random, 0.02);
            Tensor unrelated = TestTensors.randomF32(random, 128, 96);
            for (Tensor t : List.of(v1, v2, unrelated)) {
                a.store.put(stream(dense(t)), "alice/model");
            }
            long storedBefore = b.store.fsck().encodedBytes();
            String v1Key = objectKey(v1.id());
            String v2Key = objectKey(v2.id());
            // Reads through the other front that began before the repack, and end after it.
            InputStream v1Reading = b.store.open(v1.id()).orElseThrow();
            InputStream v2Reading = b.store.open(v2.id()).orElseThrow();
            byte[] v1Head = v1Reading.readNBytes(1000);
            byte[] v2Head = v2Reading.readNBytes(1000);

            RepackReport report = a.store.repack(List.of(new Neighbours(v2.id(), v1.id()),
                    new Neighbours(v2.id(), unrelated.id())), progress::add);

            assertEquals(3, report.denseConsidered(), report.toString());
            assertEquals(1, report.reencoded(), report.toString());
            assertTrue(report.bytesAfter() < report.bytesBefore() / 5, report.toString());
            assertTrue(String.join("\n", report.lines()).matches("(?s)repack: \\d+ of \\d+ tensors stored dense.*"),
                    report.toString());
            assertArrayEquals(v1.raw(), concat(v1Head, readAll(v1Reading)), "a read that began before the repack");
            assertArrayEquals(v2.raw(), concat(v2Head, readAll(v2Reading)), "a read that began before the repack");

            // The larger (or first) of the two versions became the patch, as another front reads its row.
            TensorMeta m1 = b.store.meta(v1.id()).orElseThrow();
            TensorMeta m2 = b.store.meta(v2.id()).orElseThrow();
            TensorMeta patched = m1.kind() == EncodingKind.DENSE ? m2 : m1;
            TensorMeta kept = patched == m1 ? m2 : m1;
            assertEquals(EncodingKind.DENSE, kept.kind());
            assertNotEquals(EncodingKind.DENSE, patched.kind());
            assertEquals(kept.id(), patched.base());
            assertEquals(1, patched.chainDepth());
            assertEquals(report.bytesAfter(), patched.encodedBytes());
            assertEquals(EncodingKind.DENSE, b.store.meta(unrelated.id()).orElseThrow().kind(),
                    "an unrelated neighbour saves nothing and stays dense");
            String oldKey = patched.id().equals(v1.id()) ? v1Key : v2Key;
            assertNotEquals(oldKey, objectKey(patched.id()), "the patch is a new object");
            assertEquals(kept.id().equals(v1.id()) ? v1Key : v2Key, objectKey(kept.id()));
            assertEquals(0, cluster.pendingFor(patched.id()));

            for (Tensor t : List.of(v1, v2, unrelated)) {
                assertArrayEquals(t.raw(), readAll(b.store.open(t.id()).orElseThrow()), "read through the other front");
                assertArrayEquals(t.raw(), readAll(a.store.open(t.id()).orElseThrow()));
            }
            FsckReport fsck = b.store.fsck();
            assertTrue(fsck.isClean(), fsck.toString());
            assertEquals(storedBefore - report.bytesBefore() + report.bytesAfter(), fsck.encodedBytes(),
                    fsck.toString());

            // The old object is left to gc: named by no row, it goes once its key is a day old.
            assertEquals(2, cluster.objects(patched.id()).size());
            try (Front later = new Front("later", StoreOptions.defaults(), cluster.client(),
                    Clock.offset(Clock.systemUTC(), Duration.ofDays(2)))) {
                later.store.gc(Set.of(), Instant.EPOCH);
            }
            assertEquals(List.of(objectKey(patched.id())), cluster.objects(patched.id()));
            assertArrayEquals((patched.id().equals(v1.id()) ? v1 : v2).raw(),
                    readAll(b.store.open(patched.id()).orElseThrow()));
            fsck = b.store.fsck();
            assertTrue(fsck.isClean(), fsck.toString());

            RepackReport again = a.store.repack(List.of(new Neighbours(v2.id(), v1.id())), progress::add);
            assertEquals(0, again.reencoded(), "a second repack finds nothing more: " + again);
        }
    }

    @Test
    void savingsBelowTheThresholdsChangeNothing() throws Exception {
        SplittableRandom random = new SplittableRandom(22);
        try (Front a = new Front("a")) {
            // Saves most of its 4 KiB, but not 4 KiB.
            Tensor small = TestTensors.randomF32(random, 32, 32);
            Tensor smallTuned = small.perturbed(random, 0.02);
            // Saves far more than 4 KiB, but not 10%: nothing in common.
            Tensor big = TestTensors.randomF32(random, 128, 96);
            Tensor other = TestTensors.randomF32(random, 128, 96);
            List<Tensor> all = List.of(small, smallTuned, big, other);
            List<String> keys = new ArrayList<>();
            for (Tensor t : all) {
                a.store.put(stream(dense(t)), "alice/model");
                keys.add(objectKey(t.id()));
            }
            RepackReport report = a.store.repack(List.of(new Neighbours(small.id(), smallTuned.id()),
                    new Neighbours(big.id(), other.id())), progress::add);
            assertEquals(4, report.denseConsidered(), report.toString());
            assertEquals(0, report.reencoded(), report.toString());
            assertEquals(0, report.bytesBefore());
            for (int i = 0; i < all.size(); i++) {
                TensorId id = all.get(i).id();
                assertEquals(EncodingKind.DENSE, a.store.meta(id).orElseThrow().kind());
                assertEquals(List.of(keys.get(i)), cluster.objects(id), "no object written, none deleted");
                assertEquals(0, cluster.pendingFor(id));
            }
        }
    }

    @Test
    void chainsStayWithinTheirBoundCountingWhatLiesBelow() throws Exception {
        SplittableRandom random = new SplittableRandom(23);
        try (Front a = new Front("a", StoreOptions.defaults().withMaxChainDepth(2)); Front b = new Front("b")) {
            Tensor root = TestTensors.randomF32(random, 64, 64);
            Tensor child = root.perturbed(random, 0.01);
            Tensor middle = TestTensors.randomF32(random, 64, 64);
            Tensor below1 = middle.perturbed(random, 0.01);
            Tensor below2 = below1.perturbed(random, 0.01);
            Tensor near = middle.perturbed(random, 0.01); // near middle, dense, with nothing below it
            a.store.put(stream(dense(root)), "r");
            a.store.put(stream(TestTensors.sparse(child, root)), "r");
            a.store.put(stream(dense(middle)), "r");
            a.store.put(stream(TestTensors.sparse(below1, middle)), "r");
            a.store.put(stream(TestTensors.sparse(below2, below1)), "r");
            a.store.put(stream(dense(near)), "r");
            // middle has a chain of 2 below it: patching it against anything would put below2 deeper than 2. near has
            // nothing below it, so it may patch middle or child; it is near middle only.
            RepackReport report = a.store.repack(List.of(new Neighbours(middle.id(), root.id()),
                    new Neighbours(middle.id(), near.id()), new Neighbours(near.id(), child.id())), progress::add);
            assertEquals(1, report.reencoded(), report.toString());
            assertEquals(EncodingKind.DENSE, b.store.meta(middle.id()).orElseThrow().kind(), report.toString());
            TensorMeta n = b.store.meta(near.id()).orElseThrow();
            assertEquals(middle.id(), n.base(), "near became a patch against the one neighbour it is near");
            assertEquals(1, n.chainDepth());
            for (Tensor t : List.of(root, child, middle, below1, below2, near)) {
                assertTrue(b.store.meta(t.id()).orElseThrow().chainDepth() <= 2);
                assertArrayEquals(t.raw(), readAll(b.store.open(t.id()).orElseThrow()));
            }
            FsckReport fsck = b.store.fsck();
            assertTrue(fsck.isClean(), fsck.toString());
        }
    }

    @Test
    void aTensorBelowTheTargetMovesDownWithIt() throws Exception {
        SplittableRandom random = new SplittableRandom(24);
        try (Front a = new Front("a", StoreOptions.defaults().withMaxChainDepth(2)); Front b = new Front("b")) {
            Tensor root = TestTensors.randomF32(random, 64, 64);
            Tensor r1 = root.perturbed(random, 0.01);
            Tensor r2 = r1.perturbed(random, 0.01);
            Tensor target = root.perturbed(random, 0.01);
            Tensor below = target.perturbed(random, 0.01);
            a.store.put(stream(dense(root)), "r");
            a.store.put(stream(TestTensors.sparse(r1, root)), "r");
            a.store.put(stream(TestTensors.sparse(r2, r1)), "r"); // root cannot become a patch: r2 would be at 3
            a.store.put(stream(dense(target)), "r");
            a.store.put(stream(TestTensors.sparse(below, target)), "r");
            RepackReport report = a.store.repack(List.of(new Neighbours(root.id(), target.id())), progress::add);
            assertEquals(1, report.reencoded(), report.toString());
            assertEquals(EncodingKind.DENSE, b.store.meta(root.id()).orElseThrow().kind());
            TensorMeta t = b.store.meta(target.id()).orElseThrow();
            assertEquals(root.id(), t.base());
            assertEquals(1, t.chainDepth());
            assertEquals(2, b.store.meta(below.id()).orElseThrow().chainDepth(), "below moved down with its base");
            for (Tensor x : List.of(root, r1, r2, target, below)) {
                assertArrayEquals(x.raw(), readAll(b.store.open(x.id()).orElseThrow()));
            }
            FsckReport fsck = b.store.fsck();
            assertTrue(fsck.isClean(), fsck.toString());
        }
    }

    @Test
    void oneRepackRunsAtATimeAcrossFronts() throws Exception {
        try (Front a = new Front("a"); Front b = new Front("b")) {
            // The first repack holds its pairs' iterator until the others have been refused.
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Collection<Neighbours> blocking = new AbstractCollection<>() {
                @Override
                public Iterator<Neighbours> iterator() {
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Collections.emptyIterator();
                }

                @Override
                public int size() {
                    return 0;
                }
            };
            ExecutorService first = Executors.newSingleThreadExecutor();
            try {
                Future<RepackReport> running = first.submit(() -> a.store.repack(blocking, progress::add));
                assertTrue(started.await(30, TimeUnit.SECONDS));
                for (Front f : List.of(b, a)) {
                    IOException busy = assertThrows(IOException.class, () -> f.store.repack(List.of(), progress::add));
                    assertTrue(busy.getMessage().contains("already running"), busy.getMessage());
                }
                release.countDown();
                assertEquals(0, running.get(30, TimeUnit.SECONDS).reencoded());
            } finally {
                release.countDown();
                first.shutdownNow();
            }
            assertEquals(0, b.store.repack(List.of(), progress::add).reencoded(), "the lock was released");
        }
    }

    @Test
    void aFailureWritingTheNewObjectLeavesTheRowAsItWas() throws Exception {
        SplittableRandom random = new SplittableRandom(25);
        Tensor v1 = TestTensors.randomF32(random, 128, 96);
        Tensor v2 = v1.perturbed(random, 0.02);
        // The bucket took the object, but the answer was lost.
        FaultyObjectStore lost = new FaultyObjectStore(cluster.client()) {
            @Override
            void afterPut(String key) throws IOException {
                throw new IOException("connection reset (simulated)");
            }
        };
        // The object was written, but gc took its upload for one given up and removed its pending record.
        FaultyObjectStore givenUp = new FaultyObjectStore(cluster.client()) {
            @Override
            void afterPut(String key) throws IOException {
                try {
                    cluster.update("DELETE FROM pending_uploads WHERE object_key = ?", key);
                } catch (java.sql.SQLException e) {
                    throw new IOException(e);
                }
            }
        };
        try (Front ok = new Front("ok");
                Front failing = new Front("lost", StoreOptions.defaults(), lost, Clock.systemUTC());
                Front late = new Front("late", StoreOptions.defaults(), givenUp, Clock.systemUTC())) {
            ok.store.put(stream(dense(v1)), "alice/model");
            ok.store.put(stream(dense(v2)), "alice/model");
            List<Neighbours> pairs = List.of(new Neighbours(v1.id(), v2.id()));
            String v1Key = objectKey(v1.id());
            String v2Key = objectKey(v2.id());

            IOException e = assertThrows(IOException.class, () -> failing.store.repack(pairs, progress::add));
            assertTrue(e.getMessage().contains("connection reset"), e.getMessage());
            e = assertThrows(IOException.class, () -> late.store.repack(pairs, progress::add));
            assertTrue(e.getMessage().contains("gc gave its object up"), e.getMessage());

            for (Tensor t : List.of(v1, v2)) {
                TensorMeta m = ok.store.meta(t.id()).orElseThrow();
                assertEquals(EncodingKind.DENSE, m.kind());
                assertEquals(0, m.chainDepth());
                assertEquals(List.of(t == v1 ? v1Key : v2Key), cluster.objects(t.id()), "the new objects were removed");
                assertEquals(t == v1 ? v1Key : v2Key, objectKey(t.id()));
                assertEquals(0, cluster.pendingFor(t.id()));
                assertArrayEquals(t.raw(), readAll(ok.store.open(t.id()).orElseThrow()));
            }
            FsckReport fsck = ok.store.fsck();
            assertTrue(fsck.isClean(), fsck.toString());

            assertEquals(1, ok.store.repack(pairs, progress::add).reencoded(), "nothing left in the way");
            assertTrue(ok.store.fsck().isClean());
        }
    }

    private static byte[] concat(byte[] head, byte[] rest) {
        byte[] whole = new byte[head.length + rest.length];
        System.arraycopy(head, 0, whole, 0, head.length);
        System.arraycopy(rest, 0, whole, head.length, rest.length);
        return whole;
    }
}
