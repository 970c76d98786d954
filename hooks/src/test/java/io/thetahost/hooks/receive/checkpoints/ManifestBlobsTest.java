package io.thetahost.hooks.receive.checkpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.hooks.receive.CheckLimits;
import io.thetahost.hooks.memory.MemoryBudget;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.safetensors.SafetensorsHeader;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.safetensors.TensorSpec;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.junit.jupiter.api.Test;

/** The push checks' reading of blobs as manifests, under the limits a daemon sets. */
class ManifestBlobsTest {
    private final InMemoryRepository repository = new InMemoryRepository(new DfsRepositoryDescription("test"));

    @Test
    void aManifestWithinTheLimitsIsRead() throws Exception {
        byte[] manifest = manifestOf(100);
        ManifestBlobs.Read read = blobs(limits(1 << 20, 100)).read(insert(manifest));
        assertTrue(read.isManifest(), read.problem());
        assertEquals(100, read.manifest().tensors().size());
        assertEquals(manifest.length, read.size());
    }

    @Test
    void oneTensorPastTheTensorLimitIsRefusedWithTheLimitNamed() throws Exception {
        ManifestBlobs.Read read = blobs(limits(1 << 20, 100)).read(insert(manifestOf(101)));
        assertFalse(read.isManifest());
        assertEquals("manifest header: header declares more tensors than the limit of 100", read.problem());
    }

    @Test
    void aBlobOverTheSizeLimitIsRefusedWithoutBeingRead() throws Exception {
        byte[] manifest = manifestOf(100);
        ManifestBlobs.Read read = blobs(limits(manifest.length - 1, 100)).read(insert(manifest));
        assertEquals("it is " + manifest.length + " bytes, over this server's manifest limit of "
                + (manifest.length - 1), read.problem());
    }

    @Test
    void theCheckpointFileItselfIsNamedForWhatItIs() throws Exception {
        ManifestBlobs.Read read = blobs(limits(1 << 20, 100)).read(insert(new byte[] {8, 0, 0, 0, 0, 0, 0, 0}));
        assertEquals("it holds 8 bytes of the file itself, not a manifest: theta's clean filter did not run when it "
                + "was committed", read.problem());
    }

    @Test
    void theManifestLimitFollowsTheHeapWithinItsBounds() {
        assertEquals(CheckLimits.MIN_MANIFEST_BYTES, CheckLimits.forHeap(16L << 20).maxManifestBytes());
        assertEquals(8L << 20, CheckLimits.forHeap(256L << 20).maxManifestBytes());
        assertEquals(32L << 20, CheckLimits.forHeap(1L << 30).maxManifestBytes());
        assertEquals(CheckLimits.MAX_MANIFEST_BYTES, CheckLimits.forHeap(24L << 30).maxManifestBytes());
    }

    private ManifestBlobs blobs(CheckLimits limits) {
        ObjectReader reader = repository.newObjectReader();
        return new ManifestBlobs(reader, limits, new MemoryBudget("a manifest", limits.maxManifestBytes()));
    }

    private static CheckLimits limits(long maxManifestBytes, int maxTensors) {
        return new CheckLimits(maxManifestBytes, SafetensorsLimits.defaults().withMaxTensors(maxTensors), 10, 1 << 20);
    }

    private ObjectId insert(byte[] blob) throws Exception {
        try (ObjectInserter inserter = repository.newObjectInserter()) {
            ObjectId id = inserter.insert(Constants.OBJ_BLOB, blob);
            inserter.flush();
            return id;
        }
    }

    /** A canonical manifest of {@code count} one-element F32 tensors. */
    private static byte[] manifestOf(int count) throws Exception {
        List<TensorSpec> specs = new ArrayList<>();
        List<TensorId> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            specs.add(new TensorSpec("layer." + i + ".weight", DType.F32, Shape.of(1)));
            ids.add(TensorId.of(DType.F32, Shape.of(1), new byte[] {(byte) i, 0, 0, 0}));
        }
        return ManifestFormat.write(Manifest.of(SafetensorsHeader.build(null, specs), ids, List.of()));
    }
}
