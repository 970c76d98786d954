package io.thetahost.objectdb;

import static io.thetahost.objectdb.TestTensors.dense;
import static io.thetahost.objectdb.TestTensors.readAll;
import static io.thetahost.objectdb.TestTensors.stream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.TestTensors.Tensor;
import io.thetahost.objectdb.fsck.FsckReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chains never grow past the configured depth: the patch that would is stored dense, and reads stay exact. */
class ChainDepthTest {
    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(3);

    @Test
    void aPatchBeyondTheLimitIsStoredDense() throws IOException {
        StoreOptions options = StoreOptions.defaults().withMaxChainDepth(2).withPieceBytes(512);
        try (TensorStore store = RocksTensorStore.open(dir, options)) {
            List<Tensor> versions = new ArrayList<>();
            versions.add(TestTensors.randomF32(random, 48, 40));
            store.put(stream(dense(versions.get(0))), "r");
            int[] expectedDepth = {0, 1, 2, 0, 1, 2, 0};
            for (int i = 1; i < expectedDepth.length; i++) {
                Tensor previous = versions.get(i - 1);
                Tensor next = previous.perturbed(random, 0.05);
                versions.add(next);
                byte[] patch = i % 2 == 0 ? TestTensors.sparse(next, previous) : TestTensors.xor(next, previous);
                PutResult r = store.put(stream(patch), "r");
                TensorMeta m = store.meta(next.id()).orElseThrow();
                assertEquals(expectedDepth[i], m.chainDepth(), "version " + i);
                if (expectedDepth[i] == 0) {
                    assertEquals(EncodingKind.DENSE, r.storedKind());
                    assertEquals(EncodingKind.DENSE, m.kind());
                    assertNull(m.base());
                    try (StoredEncoding e = store.encoding(next.id()).orElseThrow()) {
                        assertEquals(m.encodedBytes(), e.bytes().readAllBytes().length);
                    }
                } else {
                    assertEquals(previous.id(), m.base());
                    assertEquals(patch.length, m.encodedBytes());
                }
            }
            for (Tensor v : versions) {
                assertArrayEquals(v.raw(), readAll(store.open(v.id()).orElseThrow()));
            }
            FsckReport report = store.fsck();
            assertTrue(report.isClean(), report.toString());
            assertEquals(versions.size(), report.tensorsChecked());
        }
        try (Stream<Path> spills = Files.list(dir.resolve("tmp"))) {
            assertEquals(0, spills.count(), "re-encoding leaves no spill file");
        }
    }

    @Test
    void depthZeroStoresEveryPatchDense() throws IOException {
        try (TensorStore store = RocksTensorStore.open(dir, StoreOptions.defaults().withMaxChainDepth(0))) {
            Tensor base = TestTensors.randomF32(random, 16, 16);
            Tensor next = base.perturbed(random, 0.2);
            next = next.with(3, Float.NaN);
            store.put(stream(dense(base)), "r");
            PutResult r = store.put(stream(TestTensors.xor(next, base)), "r");
            assertEquals(EncodingKind.DENSE, r.storedKind());
            TensorMeta m = store.meta(next.id()).orElseThrow();
            assertEquals(0, m.chainDepth());
            assertTrue(m.hasNaN(), "flags survive re-encoding");
            assertArrayEquals(next.raw(), readAll(store.open(next.id()).orElseThrow()));
        }
    }

    @Test
    void aLongChainReadsWithinItsDepth() throws IOException {
        try (TensorStore store = RocksTensorStore.open(dir, StoreOptions.defaults())) {
            Tensor v = TestTensors.randomF32(random, 256, 64);
            store.put(stream(dense(v)), "r");
            for (int i = 1; i <= 4; i++) {
                Tensor next = v.perturbed(random, 0.01);
                store.put(stream(TestTensors.sparse(next, v)), "r");
                v = next;
            }
            TensorMeta m = store.meta(v.id()).orElseThrow();
            assertEquals(4, m.chainDepth());
            assertEquals(EncodingKind.SPARSE, m.kind());
            assertArrayEquals(v.raw(), readAll(store.open(v.id()).orElseThrow()));
        }
    }
}
