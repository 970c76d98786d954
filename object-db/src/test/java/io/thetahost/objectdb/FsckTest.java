package io.thetahost.objectdb;

import static io.thetahost.objectdb.TestTensors.dense;
import static io.thetahost.objectdb.TestTensors.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.objectdb.TestTensors.Tensor;
import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.objectdb.store.Column;
import io.thetahost.objectdb.store.Keys;
import io.thetahost.objectdb.store.MetaRecord;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fsck decodes everything and names each damaged tensor. */
class FsckTest {
    private static final StoreOptions OPTIONS = StoreOptions.defaults().withPieceBytes(600);

    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(9);
    private Tensor base;
    private Tensor patch;
    private Tensor other;

    @BeforeEach
    void fill() throws IOException {
        base = TestTensors.randomF32(random, 40, 30);
        patch = base.perturbed(random, 0.1);
        other = TestTensors.randomF32(random, 20, 10);
        try (TensorStore store = RocksTensorStore.open(dir, OPTIONS)) {
            store.put(stream(dense(base)), "r");
            store.put(stream(TestTensors.xor(patch, base)), "r");
            store.put(stream(dense(other)), "r");
            store.grant("s", other.id());
        }
    }

    private FsckReport fsck() throws IOException {
        try (TensorStore store = RocksTensorStore.open(dir, OPTIONS)) {
            return store.fsck();
        }
    }

    private static boolean names(FsckReport report, TensorId id, String words) {
        return report.problems().stream().anyMatch(p -> id.equals(p.tensor()) && p.what().contains(words));
    }

    private static String ids(FsckReport report) {
        return report.problems().stream().map(p -> String.valueOf(p.tensor())).collect(Collectors.joining(", "));
    }

    @Test
    void aHealthyStoreIsClean() throws IOException {
        FsckReport report = fsck();
        assertTrue(report.isClean(), report.toString());
        assertEquals(3, report.tensorsChecked());
        assertEquals(base.raw().length + patch.raw().length + other.raw().length, report.bytesDecoded());
        assertEquals(4, report.accessEntriesChecked());
        assertEquals(0, report.orphanBlobs());
        assertTrue(report.lines().get(0).contains("checked 3 tensors"), report.toString());
    }

    @Test
    void garbageInAPieceIsReportedForTheTensorAndWhatDependsOnIt() throws IOException {
        try (RawStore raw = RawStore.open(dir)) {
            MetaRecord r = raw.meta(base.id());
            byte[] piece = raw.piece(r.blob(), 1);
            byte[] garbage = new byte[piece.length];
            random.nextBytes(garbage);
            raw.put(Column.BLOBS, Keys.piece(r.blob(), 1), garbage);
        }
        FsckReport report = fsck();
        assertFalse(report.isClean());
        assertTrue(names(report, base.id(), "does not decode"), report.toString());
        assertTrue(names(report, patch.id(), "does not decode"), "the patch on it cannot be read either: " + report);
        assertFalse(report.problems().stream().anyMatch(p -> other.id().equals(p.tensor())), ids(report));
        assertTrue(report.toString().contains("error: " + base.id()), report.toString());
    }

    @Test
    void aMissingOrExtraPieceIsReported() throws IOException {
        try (RawStore raw = RawStore.open(dir)) {
            MetaRecord r = raw.meta(other.id());
            int pieces = (int) ((r.meta().encodedBytes() + 599) / 600);
            raw.delete(Column.BLOBS, Keys.piece(r.blob(), pieces - 1));
            MetaRecord b = raw.meta(base.id());
            int basePieces = (int) ((b.meta().encodedBytes() + 599) / 600);
            raw.put(Column.BLOBS, Keys.piece(b.blob(), basePieces), new byte[] {1, 2, 3});
        }
        FsckReport report = fsck();
        assertTrue(names(report, other.id(), "is missing"), report.toString());
        assertTrue(names(report, base.id(), "more than"), report.toString());
    }

    @Test
    void aDeletedBaseIsReportedOnThePatch() throws IOException {
        try (RawStore raw = RawStore.open(dir)) {
            raw.delete(Column.META, Keys.tensor(base.id()));
        }
        FsckReport report = fsck();
        assertTrue(names(report, patch.id(), "base " + base.id() + " is not stored"), report.toString());
        // The base's grant and its blob now belong to nothing.
        assertTrue(names(report, base.id(), "not stored"), report.toString());
        assertTrue(report.problems().stream().anyMatch(p -> p.tensor() == null && p.what().contains("belongs to no")),
                report.toString());
    }

    @Test
    void recordsThatContradictEachOtherAreReported() throws IOException {
        try (RawStore raw = RawStore.open(dir)) {
            MetaRecord r = raw.meta(patch.id());
            TensorMeta m = r.meta();
            TensorMeta wrongDepth = new TensorMeta(m.id(), m.dtype(), m.shape(), m.size(), m.kind(), m.base(), 3,
                    m.encodedBytes(), true, m.hasInf(), m.storedAt());
            raw.put(Column.META, Keys.tensor(patch.id()), new MetaRecord(wrongDepth, r.blob()).encode());
            byte[] truncated = Arrays.copyOf(raw.db.get(null, Column.META, Keys.tensor(other.id())), 20);
            raw.put(Column.META, Keys.tensor(other.id()), truncated);
        }
        FsckReport report = fsck();
        assertTrue(names(report, patch.id(), "chain depth 3"), report.toString());
        assertTrue(names(report, patch.id(), "holds NaN false"), report.toString());
        assertTrue(names(report, other.id(), "cut short"), report.toString());
    }

    @Test
    void aGrantOfAMissingTensorIsReported() throws IOException {
        Tensor ghost = TestTensors.randomF32(random, 2, 2);
        try (RawStore raw = RawStore.open(dir)) {
            raw.put(Column.ACCESS, Keys.access("r", ghost.id()), Keys.time(0));
        }
        FsckReport report = fsck();
        assertEquals(1, report.problems().size(), report.toString());
        assertTrue(names(report, ghost.id(), "'r' may read it, but it is not stored"), report.toString());
    }
}
