package io.thetahost.objectdb;

import static io.thetahost.objectdb.TestTensors.dense;
import static io.thetahost.objectdb.TestTensors.readAll;
import static io.thetahost.objectdb.TestTensors.stream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.objectdb.TestTensors.Tensor;
import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.objectdb.store.Column;
import io.thetahost.protocol.tensor.TensorId;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many threads at once: one stored copy per tensor, every grant, and gc and fsck running alongside. */
class ConcurrencyTest {
    private static final int THREADS = 8;
    private static final int ROUNDS = 6;

    @TempDir
    Path dir;

    @Test
    void concurrentUploadsOfTheSameAndOfDifferentTensors() throws Exception {
        SplittableRandom random = new SplittableRandom(21);
        List<Tensor> shared = new ArrayList<>();
        List<List<Tensor>> own = new ArrayList<>();
        List<List<Tensor>> patches = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            shared.add(TestTensors.randomF32(random, 96, 64));
        }
        for (int t = 0; t < THREADS; t++) {
            List<Tensor> mine = new ArrayList<>();
            List<Tensor> myPatches = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                mine.add(TestTensors.randomF32(random, 32, 16));
                myPatches.add(shared.get(round).perturbed(random, 0.05));
            }
            own.add(mine);
            patches.add(myPatches);
        }
        byte[][] sharedEncodings = shared.stream().map(TestTensors::dense).toArray(byte[][]::new);
        Set<TensorId> everything = ConcurrentHashMap.newKeySet();
        AtomicInteger stored = new AtomicInteger();
        AtomicInteger already = new AtomicInteger();
        StoreOptions options = StoreOptions.defaults().withPieceBytes(2048).withMaxChainDepth(1);
        try (TensorStore store = RocksTensorStore.open(dir, options)) {
            CyclicBarrier start = new CyclicBarrier(THREADS);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    String repository = "team/repo-" + thread;
                    for (int round = 0; round < ROUNDS; round++) {
                        start.await(30, TimeUnit.SECONDS);
                        PutResult r = store.put(stream(sharedEncodings[round]), repository);
                        (r.status() == PutResult.Status.STORED ? stored : already).incrementAndGet();
                        Tensor mine = own.get(thread).get(round);
                        store.put(stream(dense(mine)), repository);
                        Tensor patch = patches.get(thread).get(round);
                        byte[] encoding = thread % 2 == 0 ? TestTensors.xor(patch, shared.get(round))
                                : TestTensors.sparse(patch, shared.get(round));
                        store.put(stream(encoding), repository);
                        everything.add(shared.get(round).id());
                        everything.add(mine.id());
                        everything.add(patch.id());
                        for (Tensor t2 : List.of(shared.get(round), mine, patch)) {
                            assertArrayEquals(t2.raw(), readAll(store.open(t2.id()).orElseThrow()));
                        }
                    }
                    return null;
                }));
            }
            // gc and fsck alongside: gc keeps everything (all of it is recent), fsck sees a consistent snapshot.
            Future<?> checker = pool.submit(() -> {
                for (int i = 0; i < 5; i++) {
                    assertEquals(0, store.gc(Set.of(), Instant.now().minusSeconds(3600)).tensorsRemoved());
                    FsckReport report = store.fsck();
                    assertTrue(report.isClean(), report.toString());
                }
                return null;
            });
            for (Future<?> f : work) {
                f.get(5, TimeUnit.MINUTES);
            }
            checker.get(5, TimeUnit.MINUTES);
            pool.shutdown();

            assertEquals(ROUNDS, stored.get(), "each shared tensor stored exactly once");
            assertEquals(ROUNDS * (THREADS - 1), already.get());
            for (int t = 0; t < THREADS; t++) {
                for (Tensor s : shared) {
                    assertTrue(store.readable("team/repo-" + t, s.id()));
                }
            }
            FsckReport report = store.fsck();
            assertTrue(report.isClean(), report.toString());
            assertEquals(0, report.orphanBlobs());
            assertEquals(everything.size(), report.tensorsChecked());
        }
        try (RawStore raw = RawStore.open(dir)) {
            assertEquals(everything.size(), raw.blobs().size(), "losers' pieces are deleted");
            assertEquals(0, raw.keys(Column.PENDING).size());
            Set<String> access = new HashSet<>();
            for (byte[] key : raw.keys(Column.ACCESS)) {
                access.add(new String(key, 0, key.length - 33, java.nio.charset.StandardCharsets.UTF_8));
            }
            assertEquals(THREADS, access.size());
        }
    }
}
