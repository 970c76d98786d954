package io.thetahost.objectdb;

import static io.thetahost.objectdb.TestTensors.dense;
import static io.thetahost.objectdb.TestTensors.readAll;
import static io.thetahost.objectdb.TestTensors.stream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.TestTensors.Tensor;
import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.objectdb.repack.Neighbours;
import io.thetahost.objectdb.repack.RepackReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repack stores tensors uploaded dense as patches against their neighbours in history when that is much smaller,
 * keeps every tensor readable (a read in progress included) and every chain within its bound, and makes no loop.
 */
class RepackTest {
    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(11);
    private final List<String> progress = new ArrayList<>();

    @Test
    void denseNeighboursBecomePatchesAndReadTheSame() throws IOException {
        try (TensorStore store = RocksTensorStore.open(dir, StoreOptions.defaults().withPieceBytes(4096))) {
            Tensor base = TestTensors.randomF32(random, 128, 96);
            Tensor tuned = base.perturbed(random, 0.02);
            Tensor unrelated = TestTensors.randomF32(random, 128, 96);
            for (Tensor t : List.of(base, tuned, unrelated)) {
                store.put(stream(dense(t)), "r");
            }
            long denseBytes = store.meta(tuned.id()).orElseThrow().encodedBytes();
            try (InputStream readInProgress = store.open(tuned.id()).orElseThrow()) {
                byte[] head = readInProgress.readNBytes(1000);
                RepackReport report = store.repack(List.of(new Neighbours(tuned.id(), base.id()),
                        new Neighbours(tuned.id(), unrelated.id())), progress::add);
                assertEquals(1, report.reencoded(), report.toString());
                assertEquals(3, report.denseConsidered(), report.toString());
                assertTrue(report.bytesAfter() < report.bytesBefore() / 5, report.toString());
                byte[] rest = readInProgress.readAllBytes();
                byte[] whole = new byte[head.length + rest.length];
                System.arraycopy(head, 0, whole, 0, head.length);
                System.arraycopy(rest, 0, whole, head.length, rest.length);
                assertArrayEquals(tuned.raw(), whole, "a read that began before the repack reads the old encoding");
            }
            // The larger (or first) of the two neighbours becomes the patch; the other stays dense.
            TensorMeta a = store.meta(base.id()).orElseThrow();
            TensorMeta b = store.meta(tuned.id()).orElseThrow();
            TensorMeta patched = a.kind() == EncodingKind.DENSE ? b : a;
            TensorMeta kept = patched == a ? b : a;
            assertEquals(EncodingKind.DENSE, kept.kind());
            assertEquals(kept.id(), patched.base());
            assertEquals(1, patched.chainDepth());
            assertTrue(patched.encodedBytes() < denseBytes / 5, patched.toString());
            assertEquals(EncodingKind.DENSE, store.meta(unrelated.id()).orElseThrow().kind(),
                    "an unrelated neighbour saves nothing and stays dense");
            for (Tensor t : List.of(base, tuned, unrelated)) {
                assertArrayEquals(t.raw(), readAll(store.open(t.id()).orElseThrow()));
            }
            FsckReport fsck = store.fsck();
            assertTrue(fsck.isClean(), fsck.toString());
            assertEquals(0, fsck.orphanBlobs(), "the old blobs are gone");
            RepackReport again = store.repack(List.of(new Neighbours(tuned.id(), base.id())), progress::add);
            assertEquals(0, again.reencoded(), "a second repack finds nothing more: " + again);
        }
    }

    @Test
    void chainsStayWithinTheirBoundCountingWhatLiesBelow() throws IOException {
        StoreOptions options = StoreOptions.defaults().withMaxChainDepth(2).withPieceBytes(4096);
        try (TensorStore store = RocksTensorStore.open(dir, options)) {
            Tensor root = TestTensors.randomF32(random, 64, 64);
            Tensor child = root.perturbed(random, 0.01);
            Tensor middle = TestTensors.randomF32(random, 64, 64);
            Tensor below1 = middle.perturbed(random, 0.01);
            Tensor below2 = below1.perturbed(random, 0.01);
            store.put(stream(dense(root)), "r");
            store.put(stream(TestTensors.sparse(child, root)), "r");
            store.put(stream(dense(middle)), "r");
            store.put(stream(TestTensors.sparse(below1, middle)), "r");
            store.put(stream(TestTensors.sparse(below2, below1)), "r");
            Tensor near = middle.perturbed(random, 0.01); // near middle, dense, with nothing below it
            store.put(stream(dense(near)), "r");
            // middle has a chain of 2 below it: patching it against anything would put below2 deeper than 2. near has
            // nothing below it, so it may patch middle or child; it is near middle only.
            RepackReport report = store.repack(List.of(new Neighbours(middle.id(), root.id()),
                    new Neighbours(middle.id(), near.id()), new Neighbours(near.id(), child.id())), progress::add);
            assertEquals(EncodingKind.DENSE, store.meta(middle.id()).orElseThrow().kind(), report.toString());
            TensorMeta n = store.meta(near.id()).orElseThrow();
            assertEquals(middle.id(), n.base(), "near became a patch against the one neighbour it is near");
            assertEquals(1, n.chainDepth());
            for (Tensor t : List.of(root, child, middle, below1, below2, near)) {
                assertTrue(store.meta(t.id()).orElseThrow().chainDepth() <= 2);
                assertArrayEquals(t.raw(), readAll(store.open(t.id()).orElseThrow()));
            }
            assertTrue(store.fsck().isClean());
        }
    }

    @Test
    void aTensorBelowTheTargetIsMovedDownWithIt() throws IOException {
        StoreOptions options = StoreOptions.defaults().withMaxChainDepth(2).withPieceBytes(4096);
        try (TensorStore store = RocksTensorStore.open(dir, options)) {
            Tensor root = TestTensors.randomF32(random, 64, 64);
            Tensor r1 = root.perturbed(random, 0.01);
            Tensor r2 = r1.perturbed(random, 0.01);
            Tensor target = root.perturbed(random, 0.01);
            Tensor below = target.perturbed(random, 0.01);
            store.put(stream(dense(root)), "r");
            store.put(stream(TestTensors.sparse(r1, root)), "r");
            store.put(stream(TestTensors.sparse(r2, r1)), "r"); // root cannot become a patch: r2 would be at 3
            store.put(stream(dense(target)), "r");
            store.put(stream(TestTensors.sparse(below, target)), "r");
            RepackReport report = store.repack(List.of(new Neighbours(root.id(), target.id())), progress::add);
            assertEquals(1, report.reencoded(), report.toString());
            assertEquals(EncodingKind.DENSE, store.meta(root.id()).orElseThrow().kind());
            TensorMeta t = store.meta(target.id()).orElseThrow();
            assertEquals(root.id(), t.base());
            assertEquals(1, t.chainDepth());
            assertEquals(2, store.meta(below.id()).orElseThrow().chainDepth(), "below moved down with its base");
            for (Tensor x : List.of(root, r1, r2, target, below)) {
                assertArrayEquals(x.raw(), readAll(store.open(x.id()).orElseThrow()));
            }
            FsckReport fsck = store.fsck();
            assertTrue(fsck.isClean(), fsck.toString());
        }
    }

    @Test
    void aNeighbourNotStoredIsSkippedAndOneRepackRunsAtATime() throws Exception {
        try (TensorStore store = RocksTensorStore.open(dir, StoreOptions.defaults())) {
            Tensor a = TestTensors.randomF32(random, 32, 32);
            store.put(stream(dense(a)), "r");
            RepackReport report = store.repack(List.of(new Neighbours(a.id(), a.perturbed(random, 0.1).id())),
                    progress::add);
            assertEquals(0, report.reencoded());
            assertEquals(EncodingKind.DENSE, store.meta(a.id()).orElseThrow().kind());

            // The first repack holds its pairs' iterator until the second has been refused.
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
                Future<RepackReport> running = first.submit(() -> store.repack(blocking, progress::add));
                assertTrue(started.await(30, TimeUnit.SECONDS));
                IOException busy = assertThrows(IOException.class, () -> store.repack(List.of(), progress::add));
                assertTrue(busy.getMessage().contains("already running"), busy.getMessage());
                release.countDown();
                assertEquals(0, running.get(30, TimeUnit.SECONDS).reencoded());
            } finally {
                release.countDown();
                first.shutdownNow();
            }
        }
    }
}
