package io.thetahost.objectdb;

import static io.thetahost.objectdb.TestTensors.dense;
import static io.thetahost.objectdb.TestTensors.readAll;
import static io.thetahost.objectdb.TestTensors.stream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.objectdb.TestTensors.Tensor;
import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.objectdb.gc.GcReport;
import io.thetahost.objectdb.store.Column;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gc keeps the live, the recent and every base they need, and frees the rest. */
class GcTest {
    private static final StoreOptions OPTIONS = StoreOptions.defaults().withPieceBytes(700);

    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(5);

    private static long encoded(TensorStore store, Tensor t) {
        return store.meta(t.id()).orElseThrow().encodedBytes();
    }

    private static void pause() throws InterruptedException {
        Thread.sleep(5); // storedAt has millisecond resolution
    }

    @Test
    void liveTensorsAndTheirChainsAreKeptTheRestIsFreed() throws Exception {
        try (TensorStore store = RocksTensorStore.open(dir, OPTIONS)) {
            Tensor a = TestTensors.randomF32(random, 32, 32);
            Tensor b = a.perturbed(random, 0.1);
            Tensor c = b.perturbed(random, 0.1);
            Tensor unused = TestTensors.randomF32(random, 32, 32);
            Tensor unusedPatch = unused.perturbed(random, 0.1);
            store.put(stream(dense(a)), "r");
            store.put(stream(TestTensors.xor(b, a)), "r");
            store.put(stream(TestTensors.sparse(c, b)), "r");
            store.put(stream(dense(unused)), "r");
            store.put(stream(TestTensors.xor(unusedPatch, unused)), "r");
            store.grant("third", unused.id());
            store.grant("other", unusedPatch.id());
            pause();
            Instant afterUploads = Instant.now();
            pause();

            long expectedFreed = encoded(store, unused) + encoded(store, unusedPatch);
            // Only c is referenced; b and a are its chain.
            GcReport report = store.gc(Set.of(c.id()), afterUploads);
            assertEquals(new GcReport(3, 2, expectedFreed, 0, 4), report);
            for (Tensor kept : new Tensor[] {a, b, c}) {
                assertArrayEquals(kept.raw(), readAll(store.open(kept.id()).orElseThrow()));
                assertTrue(store.readable("r", kept.id()));
            }
            assertTrue(store.meta(unused.id()).isEmpty());
            assertTrue(store.meta(unusedPatch.id()).isEmpty());
            assertFalse(store.readable("third", unused.id()));
            assertFalse(store.readable("other", unusedPatch.id()));
            FsckReport fsck = store.fsck();
            assertTrue(fsck.isClean(), fsck.toString());
            assertEquals(3, fsck.tensorsChecked());
            assertEquals(3, fsck.accessEntriesChecked());

            // Nothing live: everything goes, patches before their bases.
            GcReport all = store.gc(Set.of(), Instant.now());
            assertEquals(0, all.tensorsKept());
            assertEquals(3, all.tensorsRemoved());
        }
        try (RawStore raw = RawStore.open(dir)) {
            assertEquals(0, raw.blobs().size());
            assertEquals(0, raw.keys(Column.META).size());
            assertEquals(0, raw.keys(Column.ACCESS).size());
        }
    }

    @Test
    void largePiecesInBlobFilesAreSweptToo() throws Exception {
        // Pieces of 64 KiB go to RocksDB's blob files; reopening flushes them there.
        StoreOptions options = StoreOptions.defaults().withPieceBytes(64 << 10);
        Tensor big = TestTensors.randomF32(random, 512, 256);
        Tensor next = big.perturbed(random, 0.5);
        try (TensorStore store = RocksTensorStore.open(dir, options)) {
            store.put(stream(dense(big)), "r");
            store.put(stream(TestTensors.xor(next, big)), "r");
        }
        try (TensorStore store = RocksTensorStore.open(dir, options)) {
            assertArrayEquals(next.raw(), readAll(store.open(next.id()).orElseThrow()));
            long bytes = encoded(store, big) + encoded(store, next);
            assertTrue(bytes > 8 * (64 << 10), "several pieces each");
            GcReport report = store.gc(Set.of(), Instant.now());
            assertEquals(new GcReport(0, 2, bytes, 0, 2), report);
            assertTrue(store.fsck().isClean());
        }
        try (RawStore raw = RawStore.open(dir)) {
            assertEquals(0, raw.blobs().size());
        }
    }

    @Test
    void theDiskSpaceOfRemovedTensorsIsGivenBack() throws Exception {
        // Eight tensors of 1 MiB flushed into one blob file; gc keeps two, so that file holds live and removed pieces.
        StoreOptions options = StoreOptions.defaults().withPieceBytes(64 << 10);
        Tensor[] tensors = new Tensor[8];
        try (TensorStore store = RocksTensorStore.open(dir, options)) {
            for (int i = 0; i < tensors.length; i++) {
                tensors[i] = TestTensors.randomF32(random, 512, 512);
                store.put(stream(dense(tensors[i])), "r");
            }
        }
        long before = blobFileBytes();
        assertTrue(before > 6 * (1 << 20), "the pieces are in blob files: " + before);
        try (TensorStore store = RocksTensorStore.open(dir, options)) {
            store.gc(Set.of(tensors[0].id(), tensors[5].id()), Instant.now());
            long after = blobFileBytes();
            assertTrue(after < 3 * (1 << 20), "blob files hold the two live tensors only: " + before + " -> " + after);
            assertArrayEquals(tensors[5].raw(), readAll(store.open(tensors[5].id()).orElseThrow()));
            assertTrue(store.fsck().isClean());
        }
    }

    private long blobFileBytes() throws IOException {
        try (var files = java.nio.file.Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".blob")).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    @Test
    void recentUploadsSurviveUntilTheGracePeriodEnds() throws Exception {
        try (TensorStore store = RocksTensorStore.open(dir, OPTIONS)) {
            Tensor old = TestTensors.randomF32(random, 16, 16);
            store.put(stream(dense(old)), "r");
            pause();
            Instant grace = Instant.now();
            pause();
            Tensor base = TestTensors.randomF32(random, 16, 16);
            // The base is old too, but a recent patch needs it.
            Tensor recentPatch = old.perturbed(random, 0.2);
            store.put(stream(TestTensors.xor(recentPatch, old)), "r");
            store.put(stream(dense(base)), "r");

            GcReport report = store.gc(Set.of(), grace);
            assertEquals(3, report.tensorsKept());
            assertEquals(0, report.tensorsRemoved());
            assertArrayEquals(recentPatch.raw(), readAll(store.open(recentPatch.id()).orElseThrow()));

            pause();
            report = store.gc(Set.of(), Instant.now());
            assertEquals(0, report.tensorsKept());
            assertEquals(3, report.tensorsRemoved());
            assertTrue(store.fsck().isClean());
        }
    }

    @Test
    void anUploadInProgressIsNeitherCollectedNorAnOrphan() throws Exception {
        StoreOptions options = StoreOptions.defaults().withPieceBytes(256);
        try (TensorStore store = RocksTensorStore.open(dir, options)) {
            Tensor t = TestTensors.randomF32(random, 64, 64);
            byte[] encoding = dense(t);
            CountDownLatch halfSent = new CountDownLatch(1);
            CountDownLatch resume = new CountDownLatch(1);
            InputStream slow = new InputStream() {
                private int position;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (position == encoding.length / 2) {
                        halfSent.countDown();
                        try {
                            resume.await();
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                    if (position == encoding.length) {
                        return -1;
                    }
                    int limit = position < encoding.length / 2 ? encoding.length / 2 : encoding.length;
                    int n = Math.min(len, limit - position);
                    System.arraycopy(encoding, position, b, off, n);
                    position += n;
                    return n;
                }
            };
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<PutResult> upload = pool.submit(() -> store.put(slow, "r"));
                assertTrue(halfSent.await(30, TimeUnit.SECONDS));
                FsckReport fsck = store.fsck();
                assertTrue(fsck.isClean(), fsck.toString());
                assertEquals(0, fsck.orphanBlobs(), "an upload in flight is no orphan");
                GcReport gc = store.gc(Set.of(), Instant.now());
                assertEquals(0, gc.orphansRemoved());
                resume.countDown();
                assertEquals(PutResult.Status.STORED, upload.get(30, TimeUnit.SECONDS).status());
            } finally {
                resume.countDown();
                pool.shutdownNow();
            }
            assertArrayEquals(t.raw(), readAll(store.open(t.id()).orElseThrow()));
            assertTrue(store.fsck().isClean());
        }
    }

    @Test
    void leftoversOfAnInterruptedUploadAreReclaimedOnOpen() throws Exception {
        try (TensorStore store = RocksTensorStore.open(dir, OPTIONS)) {
            store.put(stream(dense(TestTensors.randomF32(random, 8, 8))), "r");
        }
        // What a process killed in the middle of an upload leaves: a pending record and some pieces.
        io.thetahost.objectdb.store.BlobKey blob = io.thetahost.objectdb.store.BlobKey.random();
        try (RawStore raw = RawStore.open(dir)) {
            raw.put(Column.PENDING, blob.bytes(), io.thetahost.objectdb.store.Keys.time(0));
            for (int i = 0; i < 3; i++) {
                raw.put(Column.BLOBS, io.thetahost.objectdb.store.Keys.piece(blob, i), new byte[700]);
            }
            assertEquals(2, raw.blobs().size());
        }
        try (TensorStore store = RocksTensorStore.open(dir, OPTIONS)) {
            FsckReport report = store.fsck();
            assertTrue(report.isClean(), report.toString());
            assertEquals(0, report.orphanBlobs());
        }
        try (RawStore raw = RawStore.open(dir)) {
            assertEquals(1, raw.blobs().size());
            assertEquals(0, raw.keys(Column.PENDING).size());
        }
    }
}
