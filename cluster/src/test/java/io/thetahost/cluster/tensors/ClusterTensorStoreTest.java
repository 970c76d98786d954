package io.thetahost.cluster.tensors;

import static io.thetahost.objectdb.TestTensors.dense;
import static io.thetahost.objectdb.TestTensors.readAll;
import static io.thetahost.objectdb.TestTensors.stream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.objectdb.TestTensors;
import io.thetahost.cluster.objects.ObjectStore;
import io.thetahost.objectdb.TestTensors.Tensor;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.objectdb.PutResult;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.StoredEncoding;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.protocol.safetensors.DataItem;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.safetensors.SafetensorsReader;
import io.thetahost.protocol.safetensors.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster tensor store on a real PostgreSQL and a real S3-compatible server (bench/cluster.sh), through two
 * fronts: each its own store, object store client and local directory, as two daemons have.
 */
class ClusterTensorStoreTest {
    static TensorCluster cluster;

    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(15);

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

        Front(String name, StoreOptions options, long cacheBytes, ObjectStore objects) throws IOException {
            this.objects = objects;
            this.store = new ClusterTensorStore(cluster.database, objects, options, name, dir.resolve(name),
                    cacheBytes);
        }

        Front(String name) throws IOException {
            this(name, StoreOptions.defaults(), 1 << 20, cluster.client());
        }

        @Override
        public void close() {
            store.close();
            objects.close();
        }
    }

    @Test
    void densesAndPatchesReadBackByteForByteThroughEitherFront() throws Exception {
        try (Front a = new Front("a"); Front b = new Front("b")) {
            Tensor base = TestTensors.randomF32(random, 64, 48);
            Tensor tuned = base.perturbed(random, 0.05);
            Tensor again = tuned.perturbed(random, 0.01).with(7, Float.NaN);
            byte[] baseEncoding = dense(base);
            byte[] xor = TestTensors.xor(tuned, base);
            byte[] sparse = TestTensors.sparse(again, tuned);

            PutResult r = a.store.put(stream(baseEncoding), "alice/model");
            assertEquals(new PutResult(base.id(), PutResult.Status.STORED, EncodingKind.DENSE, baseEncoding.length), r);
            assertEquals(PutResult.Status.STORED, a.store.put(stream(xor), "alice/model").status());
            assertEquals(PutResult.Status.STORED, b.store.put(stream(sparse), "alice/model").status(),
                    "a patch on a base another front stored");

            for (ClusterTensorStore store : List.of(a.store, b.store)) {
                assertArrayEquals(base.raw(), readAll(store.open(base.id()).orElseThrow()));
                assertArrayEquals(tuned.raw(), readAll(store.open(tuned.id()).orElseThrow()));
                assertArrayEquals(again.raw(), readAll(store.open(again.id()).orElseThrow()));
                try (StoredEncoding e = store.encoding(tuned.id()).orElseThrow()) {
                    assertArrayEquals(xor, e.bytes().readAllBytes(), "the encoding as uploaded");
                    assertEquals(base.id(), e.meta().base());
                }
            }
            TensorMeta m = b.store.meta(again.id()).orElseThrow();
            assertEquals(EncodingKind.SPARSE, m.kind());
            assertEquals(tuned.id(), m.base());
            assertEquals(2, m.chainDepth());
            assertEquals(sparse.length, m.encodedBytes());
            assertEquals(again.raw().length, m.size());
            assertEquals(again.shape(), m.shape());
            assertTrue(m.hasNaN());
            assertFalse(m.hasInf());
            assertFalse(a.store.meta(base.id()).orElseThrow().hasNaN());

            assertTrue(b.store.readable("alice/model", tuned.id()));
            assertFalse(b.store.readable("bob/other", tuned.id()));
            PutResult repeat = b.store.put(stream(baseEncoding), "bob/other");
            assertEquals(PutResult.Status.ALREADY_STORED, repeat.status());
            assertTrue(a.store.readable("bob/other", base.id()), "the repeat upload granted access");
            assertEquals(1, cluster.objects(base.id()).size(), "the repeat upload left no object");
            assertTrue(a.store.open(TestTensors.randomF32(random, 2, 2).id()).isEmpty());
            assertFileCount(0, dir.resolve("a/spool"));
            assertFileCount(0, dir.resolve("b/spool"));
            FsckReport report = a.store.fsck();
            assertTrue(report.isClean(), report.toString());
            assertEquals(0, report.orphanBlobs(), report.toString());
        }
    }

    @Test
    void aForgedEncodingIsRefusedAndLeavesNothing() throws Exception {
        try (Front a = new Front("a")) {
            Tensor content = TestTensors.randomF32(random, 32, 32);
            Tensor claimed = content.perturbed(random, 0.1);
            InvalidEncodingException e = assertThrows(InvalidEncodingException.class,
                    () -> a.store.put(stream(TestTensors.denseClaiming(content, claimed.id())), "mallory/x"));
            assertTrue(e.getMessage().contains("not " + claimed.id()), e.getMessage());
            assertTrue(a.store.meta(claimed.id()).isEmpty());
            assertEquals(0, cluster.rowsOf(claimed.id()));
            assertEquals(0, cluster.pendingFor(claimed.id()));
            assertEquals(List.of(), cluster.objects(claimed.id()));
            assertFalse(a.store.readable("mallory/x", claimed.id()));
            assertThrows(InvalidEncodingException.class,
                    () -> a.store.put(stream(new byte[] {1, 2, 3, 4, 5, 6}), "mallory/x"), "not an encoding");
            assertFileCount(0, dir.resolve("a/spool"));
        }
    }

    @Test
    void aBaseTheRepositoryMayNotReadIsNotAvailableUntilGranted() throws Exception {
        try (Front a = new Front("a"); Front b = new Front("b")) {
            Tensor base = TestTensors.randomF32(random, 40, 40);
            Tensor tuned = base.perturbed(random, 0.05);
            a.store.put(stream(dense(base)), "alice/private");
            byte[] patch = TestTensors.xor(tuned, base);
            InvalidEncodingException e = assertThrows(InvalidEncodingException.class,
                    () -> b.store.put(stream(patch), "bob/fork"));
            assertTrue(e.getMessage().contains("not available"), e.getMessage());
            assertEquals(0, cluster.rowsOf(tuned.id()));
            assertEquals(0, cluster.pendingFor(tuned.id()));

            b.store.grant("bob/fork", base.id());
            assertEquals(PutResult.Status.STORED, b.store.put(stream(patch), "bob/fork").status());
            assertArrayEquals(tuned.raw(), readAll(a.store.open(tuned.id()).orElseThrow()));
            IOException notStored = assertThrows(IOException.class,
                    () -> a.store.grant("bob/fork", TestTensors.randomF32(random, 3, 3).id()));
            assertTrue(notStored.getMessage().contains("not stored"), notStored.getMessage());
        }
    }

    @Test
    void twoFrontsStoringOneTensorAtOnceLeaveOneRowAndOneObject() throws Exception {
        CyclicBarrier bothVerified = new CyclicBarrier(2);
        class Held extends FaultyObjectStore {
            Held() {
                super(cluster.client());
            }

            @Override
            void beforePut(String key, long length) throws IOException {
                try {
                    // Both uploads have found the tensor not stored and verified it: neither commits first.
                    bothVerified.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                    throw new IOException(e);
                }
            }
        }
        Tensor t = TestTensors.randomF32(random, 64, 64);
        byte[] encoding = dense(t);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (Front a = new Front("a", StoreOptions.defaults(), 1 << 20, new Held());
                Front b = new Front("b", StoreOptions.defaults(), 1 << 20, new Held())) {
            Future<PutResult> first = threads.submit(() -> a.store.put(stream(encoding), "alice/a"));
            Future<PutResult> second = threads.submit(() -> b.store.put(stream(encoding), "bob/b"));
            Set<PutResult.Status> statuses = Set.of(first.get(60, TimeUnit.SECONDS).status(),
                    second.get(60, TimeUnit.SECONDS).status());
            assertEquals(Set.of(PutResult.Status.STORED, PutResult.Status.ALREADY_STORED), statuses);
            assertEquals(1, cluster.rowsOf(t.id()));
            assertEquals(0, cluster.pendingFor(t.id()));
            List<String> objects = cluster.objects(t.id());
            assertEquals(1, objects.size(), objects.toString());
            assertEquals(cluster.strings("SELECT object_key FROM tensors WHERE id = ?", t.id().toString()), objects);
            assertTrue(a.store.readable("bob/b", t.id()));
            assertTrue(b.store.readable("alice/a", t.id()));
            assertArrayEquals(t.raw(), readAll(b.store.open(t.id()).orElseThrow()));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aPatchBeyondTheChainLimitIsStoredDense() throws Exception {
        StoreOptions shallow = StoreOptions.defaults().withMaxChainDepth(1);
        try (Front a = new Front("a", shallow, 1 << 20, cluster.client()); Front b = new Front("b")) {
            List<Tensor> versions = new ArrayList<>();
            versions.add(TestTensors.randomF32(random, 48, 40));
            a.store.put(stream(dense(versions.get(0))), "r");
            int[] expectedDepth = {0, 1, 0, 1, 0};
            for (int i = 1; i < expectedDepth.length; i++) {
                Tensor previous = versions.get(i - 1);
                Tensor next = previous.perturbed(random, 0.05);
                if (i == 2) {
                    next = next.with(5, Float.POSITIVE_INFINITY);
                }
                versions.add(next);
                byte[] patch = i % 2 == 0 ? TestTensors.sparse(next, previous) : TestTensors.xor(next, previous);
                PutResult r = a.store.put(stream(patch), "r");
                TensorMeta m = b.store.meta(next.id()).orElseThrow();
                assertEquals(expectedDepth[i], m.chainDepth(), "version " + i);
                assertEquals(m.kind(), r.storedKind());
                if (expectedDepth[i] == 0) {
                    assertEquals(EncodingKind.DENSE, m.kind());
                    assertNull(m.base());
                    try (StoredEncoding e = b.store.encoding(next.id()).orElseThrow()) {
                        assertEquals(m.encodedBytes(), e.bytes().readAllBytes().length);
                    }
                } else {
                    assertEquals(previous.id(), m.base());
                    assertEquals(patch.length, m.encodedBytes());
                }
            }
            assertTrue(b.store.meta(versions.get(2).id()).orElseThrow().hasInf(), "flags of a re-encoded patch");
            for (Tensor v : versions) {
                assertArrayEquals(v.raw(), readAll(b.store.open(v.id()).orElseThrow()));
            }
            assertFileCount(0, dir.resolve("a/spool"));
            // Through a store whose limit is the default: other tests' chains are deeper than 1.
            FsckReport report = b.store.fsck();
            assertTrue(report.isClean(), report.toString());
        }
    }

    @Test
    void theCacheStaysWithinItsBoundAndIsNeverTrustedBlindly() throws Exception {
        long bound = 100_000;
        List<Tensor> tensors = new ArrayList<>();
        try (Front a = new Front("a")) {
            for (int i = 0; i < 8; i++) {
                Tensor t = TestTensors.randomF32(random, 64, 100);
                tensors.add(t);
                a.store.put(stream(dense(t)), "cache/test");
            }
        }
        FaultyObjectStore counting = new FaultyObjectStore(cluster.client());
        Path cache = dir.resolve("b/cache");
        try (Front b = new Front("b", StoreOptions.defaults(), bound, counting)) {
            for (Tensor t : tensors) {
                assertArrayEquals(t.raw(), readAll(b.store.open(t.id()).orElseThrow()));
                assertTrue(directoryBytes(cache) <= bound, directoryBytes(cache) + " bytes in the cache");
            }
            Tensor last = tensors.get(tensors.size() - 1);
            int gets = counting.gets.get();
            assertArrayEquals(last.raw(), readAll(b.store.open(last.id()).orElseThrow()));
            assertEquals(gets, counting.gets.get(), "read again from the cache");

            // A cache file cut short is not served: the object is read again, and the entry rewritten.
            Path entry;
            try (Stream<Path> files = Files.list(cache)) {
                entry = files.filter(f -> f.getFileName().toString().contains(
                        ObjectKeys.prefix(last.id()).replace('/', '_'))).findFirst().orElseThrow();
            }
            byte[] whole = Files.readAllBytes(entry);
            Files.write(entry, java.util.Arrays.copyOf(whole, whole.length / 2));
            assertArrayEquals(last.raw(), readAll(b.store.open(last.id()).orElseThrow()));
            assertTrue(counting.gets.get() > gets, "read from the object store");
            assertEquals(whole.length, Files.size(entry));
            try (Stream<Path> files = Files.list(cache)) {
                assertTrue(files.count() < tensors.size(), "some were evicted");
            }
        }
        // The cache outlives the store, within its bound, and a store started on it with a smaller one trims it.
        try (Front b = new Front("b", StoreOptions.defaults(), bound / 4, cluster.client())) {
            assertTrue(directoryBytes(cache) <= bound / 4, directoryBytes(cache) + " bytes in the cache");
            for (Tensor t : tensors) {
                assertArrayEquals(t.raw(), readAll(b.store.open(t.id()).orElseThrow()));
            }
        }
    }

    /** The real checkpoints in fixtures/checkpoints: a base, and its LoRA-merged fine-tune as patches on it. */
    @Test
    void aFineTuneUploadedThroughOneFrontReadsBackThroughTheOther() throws Exception {
        Map<String, Tensor> base = fixture("base");
        Map<String, Tensor> merged = fixture("lora_merged");
        try (Front a = new Front("a"); Front b = new Front("b")) {
            for (Tensor t : base.values()) {
                a.store.put(stream(dense(t)), "alice/t5");
            }
            int patches = 0;
            for (Map.Entry<String, Tensor> e : merged.entrySet()) {
                Tensor target = e.getValue();
                Tensor from = base.get(e.getKey());
                byte[] encoding = from.shape().rank() == 2 ? TestTensors.xor(target, from)
                        : TestTensors.sparse(target, from);
                PutResult r = a.store.put(stream(encoding), "alice/t5");
                if (!target.id().equals(from.id())) {
                    assertEquals(PutResult.Status.STORED, r.status(), e.getKey());
                    patches++;
                }
            }
            assertTrue(patches > 0, "the fine-tune changed something");
            for (Map<String, Tensor> checkpoint : List.of(base, merged)) {
                for (Tensor t : checkpoint.values()) {
                    assertArrayEquals(t.raw(), readAll(b.store.open(t.id()).orElseThrow()));
                }
            }
        }
    }

    private static Map<String, Tensor> fixture(String checkpoint) throws IOException {
        Path file = Path.of("").toAbsolutePath().getParent().resolve("fixtures/checkpoints/" + checkpoint
                + ".safetensors");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(file, SafetensorsLimits.defaults())) {
            for (DataItem item; (item = r.next()) != null; ) {
                if (item instanceof TensorData t) {
                    tensors.put(t.entry().name(), new Tensor(t.entry().dtype(), t.entry().shape(),
                            t.bytes().readAllBytes()));
                }
            }
        }
        return tensors;
    }

    private static long directoryBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static void assertFileCount(long expected, Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(expected, files.count(), "files in " + dir);
        }
    }
}
