package io.thetahost.cluster.tensors;

import static io.thetahost.objectdb.TestTensors.dense;
import static io.thetahost.objectdb.TestTensors.readAll;
import static io.thetahost.objectdb.TestTensors.stream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.objectdb.TestTensors;
import io.thetahost.cluster.objects.ObjectStore;
import io.thetahost.objectdb.TestTensors.Tensor;
import io.thetahost.objectdb.PutResult;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.objectdb.gc.GcReport;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gc and fsck of the cluster tensor store, with uploads failing and going on around them. */
class ClusterTensorGcTest {
    static TensorCluster cluster;

    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(16);

    @BeforeAll
    static void up() throws Exception {
        cluster = TensorCluster.up();
    }

    @AfterAll
    static void down() throws Exception {
        cluster.close();
    }

    private ClusterTensorStore store(String front, ObjectStore objects, Clock clock) throws IOException {
        return new ClusterTensorStore(cluster.database, objects, StoreOptions.defaults(), front, dir.resolve(front),
                1 << 20, clock);
    }

    /** A store whose clock is two days ahead: to it, every upload under way now was given up. */
    private ClusterTensorStore twoDaysLater(ObjectStore objects) throws IOException {
        return store("later", objects, Clock.offset(Clock.systemUTC(), Duration.ofDays(2)));
    }

    @Test
    void aPutThatDiesMidWayLeavesNoRowAndGcRemovesWhatItLeft() throws Exception {
        Tensor lost = TestTensors.randomF32(random, 32, 48);
        Tensor refused = TestTensors.randomF32(random, 32, 48);
        // The bucket took the object, but the answer was lost, and the connection stays down for the cleanup.
        FaultyObjectStore dropped = new FaultyObjectStore(cluster.client()) {
            @Override
            void beforePut(String key, long length) throws IOException {
                if (key.startsWith(ObjectKeys.prefix(refused.id()))) {
                    throw new IOException("the bucket is full (simulated)");
                }
            }

            @Override
            void afterPut(String key) throws IOException {
                throw new IOException("connection reset (simulated)");
            }

            @Override
            void beforeDelete(String key) throws IOException {
                if (key.startsWith(ObjectKeys.prefix(lost.id()))) {
                    throw new IOException("connection reset (simulated)");
                }
            }
        };
        try (ObjectStore objects = cluster.client(); ClusterTensorStore front = store("a", dropped, Clock.systemUTC());
                ClusterTensorStore other = store("b", objects, Clock.systemUTC())) {
            IOException e = assertThrows(IOException.class, () -> front.put(stream(dense(lost)), "r"));
            assertTrue(e.getMessage().contains("connection reset"), e.getMessage());
            assertTrue(other.meta(lost.id()).isEmpty());
            assertEquals(0, cluster.rowsOf(lost.id()));
            assertEquals(1, cluster.pendingFor(lost.id()), "the object may exist: its pending record stays");
            assertEquals(1, cluster.objects(lost.id()).size());

            // Refused whole by the bucket: nothing was written, and the uploader removed its pending record.
            assertThrows(IOException.class, () -> front.put(stream(dense(refused)), "r"));
            assertEquals(0, cluster.rowsOf(refused.id()));
            assertEquals(0, cluster.pendingFor(refused.id()));
            assertEquals(List.of(), cluster.objects(refused.id()));

            FsckReport report = other.fsck();
            assertTrue(report.isClean(), report.toString());
            assertEquals(0, report.orphanBlobs(), "an upload under way is no orphan");
            other.gc(Set.of(), Instant.EPOCH);
            assertEquals(1, cluster.objects(lost.id()).size(), "an upload may take up to a day");

            try (ClusterTensorStore later = twoDaysLater(objects)) {
                assertEquals(1, later.fsck().orphanBlobs(), "a day later, it is an orphan");
                GcReport gc = later.gc(Set.of(), Instant.EPOCH);
                assertEquals(1, gc.orphansRemoved(), gc.toString());
                assertTrue(gc.bytesFreed() > 0, gc.toString());
            }
            assertEquals(0, cluster.pendingFor(lost.id()));
            assertEquals(List.of(), cluster.objects(lost.id()));
            report = other.fsck();
            assertTrue(report.isClean(), report.toString());
            assertEquals(0, report.orphanBlobs(), report.toString());

            // Sent again through a working front, it is stored.
            assertEquals(PutResult.Status.STORED, other.put(stream(dense(lost)), "r").status());
            assertArrayEquals(lost.raw(), readAll(other.open(lost.id()).orElseThrow()));
        }
    }

    /**
     * One front uploads while another runs gc again and again, each time with the time it starts as its cutoff, so
     * that every tensor not live may go as soon as it is stored. Uploads of tensors in the live set (added to it
     * before their upload, as a push's manifest would name them) must all survive, and so must every base they name;
     * the others go. Patches race the removal of their base: a patch whose base went is refused (not acknowledged),
     * never stored without it.
     */
    @Test
    void gcWhileAnotherFrontUploadsLosesNothingAcknowledged() throws Exception {
        try (ObjectStore objectsA = cluster.client(); ObjectStore objectsG = cluster.client();
                ClusterTensorStore uploader = store("uploader", objectsA, Clock.systemUTC());
                ClusterTensorStore collector = store("collector", objectsG, Clock.systemUTC())) {
            List<Tensor> old = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                old.add(TestTensors.randomF32(random, 24, 32));
                uploader.put(stream(dense(old.get(i))), "old/r");
            }
            Tensor livePatch = old.get(1).perturbed(random, 0.05);
            uploader.put(stream(TestTensors.xor(livePatch, old.get(1))), "old/r");
            Set<TensorId> live = ConcurrentHashMap.newKeySet();
            live.add(old.get(0).id());
            live.add(livePatch.id());

            Map<TensorId, Tensor> kept = new ConcurrentHashMap<>();
            Set<TensorId> loose = ConcurrentHashMap.newKeySet();
            old.subList(2, 4).forEach(t -> loose.add(t.id()));
            AtomicBoolean uploading = new AtomicBoolean(true);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            int refused;
            int gcs;
            try {
                Future<Integer> refusals = threads.submit(() -> {
                    SplittableRandom r = new SplittableRandom(17);
                    Tensor lastLoose = old.get(3);
                    Tensor lastKept = old.get(0);
                    int n = 0;
                    try {
                        for (int i = 0; i < 60; i++) {
                            Tensor t;
                            byte[] encoding;
                            boolean keep = i % 4 == 1 || i % 4 == 2;
                            switch (i % 4) {
                                case 0 -> {
                                    t = TestTensors.randomF32(r, 24, 32);
                                    encoding = dense(t);
                                }
                                case 1 -> {
                                    t = lastLoose.perturbed(r, 0.05);
                                    encoding = TestTensors.xor(t, lastLoose);
                                }
                                case 2 -> {
                                    t = TestTensors.randomF32(r, 24, 32);
                                    encoding = dense(t);
                                }
                                default -> {
                                    t = lastKept.perturbed(r, 0.05);
                                    encoding = TestTensors.sparse(t, lastKept);
                                }
                            }
                            if (keep) {
                                live.add(t.id());
                            }
                            try {
                                uploader.put(new ByteArrayInputStream(encoding), "new/r");
                            } catch (IOException e) {
                                assertTrue(e.getMessage().contains("not available")
                                        || e.getMessage().contains("send it again")
                                        || e.getMessage().contains("missing from the object store"), e.toString());
                                n++;
                                continue;
                            }
                            if (keep) {
                                kept.put(t.id(), t);
                                lastKept = t;
                            } else {
                                loose.add(t.id());
                                lastLoose = t;
                            }
                        }
                    } finally {
                        uploading.set(false);
                    }
                    return n;
                });
                Future<Integer> sweeps = threads.submit(() -> {
                    int n = 0;
                    while (uploading.get()) {
                        // The cutoff first: a tensor added to the live set after the copy is stored after it.
                        Instant cutoff = Instant.now();
                        collector.gc(Set.copyOf(live), cutoff);
                        n++;
                        Thread.sleep(5);
                    }
                    return n;
                });
                refused = refusals.get(120, TimeUnit.SECONDS);
                gcs = sweeps.get(120, TimeUnit.SECONDS);
            } finally {
                threads.shutdownNow();
            }
            System.out.println("gc test: " + gcs + " gc runs; " + kept.size() + " live uploads acknowledged, "
                    + refused + " refused");
            assertTrue(gcs > 1, gcs + " gc runs");
            assertTrue(kept.size() > 10, kept.size() + " acknowledged, " + refused + " refused");
            collector.gc(Set.copyOf(live), Instant.now());

            try (ObjectStore objects = cluster.client(); ClusterTensorStore reader = store("reader", objects,
                    Clock.systemUTC())) {
                for (Tensor t : kept.values()) {
                    assertArrayEquals(t.raw(), readAll(reader.open(t.id()).orElseThrow()), "acknowledged " + t.id());
                }
                for (Tensor t : List.of(old.get(0), old.get(1), livePatch)) {
                    assertArrayEquals(t.raw(), readAll(reader.open(t.id()).orElseThrow()), "live, or a live base");
                }
                Set<TensorId> bases = new java.util.HashSet<>();
                for (TensorId id : kept.keySet()) {
                    bases.add(reader.meta(id).orElseThrow().base());
                }
                for (TensorId id : loose) {
                    assertEquals(bases.contains(id), reader.meta(id).isPresent(),
                            "a tensor nothing keeps stays exactly when a kept patch needs it");
                    if (!bases.contains(id)) {
                        assertEquals(List.of(), cluster.objects(id), "its object went with its row");
                        assertFalse(reader.readable("new/r", id));
                    }
                }
                FsckReport report = reader.fsck();
                assertTrue(report.isClean(), report.toString());
                assertEquals(0, report.orphanBlobs(), report.toString());
                assertEquals(List.of(), cluster.strings("SELECT object_key || ' of ' || front FROM pending_uploads "
                        + "WHERE front = ?", "uploader"));
            }
        }
    }

    @Test
    void fsckFindsARowWhoseObjectIsGoneAndAnObjectNobodyNames() throws Exception {
        try (ObjectStore objects = cluster.client(); ClusterTensorStore store = store("a", objects, Clock.systemUTC())) {
            Tensor base = TestTensors.randomF32(random, 16, 40);
            Tensor patch = base.perturbed(random, 0.1);
            store.put(stream(dense(base)), "f/r");
            store.put(stream(TestTensors.xor(patch, base)), "f/r");
            String key = cluster.strings("SELECT object_key FROM tensors WHERE id = ?", base.id().toString()).get(0);
            cluster.bucket.delete(key);
            String stray = ObjectKeys.fresh(TestTensors.randomF32(random, 2, 2).id(),
                    Instant.now().minus(Duration.ofDays(3)));
            cluster.bucket.put(stray, new ByteArrayInputStream(new byte[100]), 100);

            FsckReport report = store.fsck();
            assertFalse(report.isClean());
            List<String> problems = report.problems().stream().map(Object::toString).toList();
            assertTrue(problems.contains(base.id() + ": its object " + key + " is missing from the object store"),
                    problems.toString());
            assertTrue(problems.stream().anyMatch(p -> p.startsWith(patch.id() + ": does not decode")),
                    problems.toString());
            assertEquals(2, problems.size(), problems.toString());
            assertEquals(1, report.orphanBlobs());
            assertEquals(100, report.orphanBytes());
            try (ObjectStore otherObjects = cluster.client();
                    ClusterTensorStore other = store("b", otherObjects, Clock.systemUTC())) {
                assertThrows(IOException.class, () -> readAll(other.open(patch.id()).orElseThrow()),
                        "read by a front that has not cached the base");
            }

            GcReport gc = store.gc(Set.of(), Instant.now().plusSeconds(60));
            assertEquals(1, gc.orphansRemoved(), gc.toString());
            assertEquals(List.of(), cluster.bucket.list(stray, null, 10));
            assertEquals(0, cluster.rowsOf(base.id()), "gc removed the rows, the broken one with the rest");
            report = store.fsck();
            assertTrue(report.isClean(), report.toString());
        }
    }
}
