package io.thetahost.objectdb;

import static io.thetahost.objectdb.TestTensors.readAll;
import static io.thetahost.objectdb.TestTensors.stream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.TestTensors.Tensor;
import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.protocol.Fixtures;
import io.thetahost.protocol.safetensors.DataItem;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.safetensors.SafetensorsReader;
import io.thetahost.protocol.safetensors.TensorData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real checkpoints in fixtures/checkpoints: a base, its LoRA-merged fine-tune as patches, and a bf16 copy. */
class FixtureCheckpointsTest {
    @TempDir
    Path dir;

    static Map<String, Tensor> tensors(String checkpoint) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Path file = Fixtures.checkpoint(checkpoint);
        try (SafetensorsReader r = SafetensorsReader.open(file, SafetensorsLimits.defaults())) {
            for (DataItem item; (item = r.next()) != null; ) {
                if (item instanceof TensorData) {
                    TensorData t = (TensorData) item;
                    tensors.put(t.entry().name(), new Tensor(t.entry().dtype(), t.entry().shape(),
                            t.bytes().readAllBytes()));
                }
            }
        }
        return tensors;
    }

    @Test
    void aFineTuneStoresAsPatchesOnItsBase() throws IOException {
        Map<String, Tensor> base = tensors("base");
        Map<String, Tensor> merged = tensors("lora_merged");
        Map<String, Tensor> bf16 = tensors("base_bf16");
        try (TensorStore store = RocksTensorStore.open(dir, StoreOptions.defaults().withPieceBytes(64 << 10))) {
            for (Tensor t : base.values()) {
                store.put(stream(TestTensors.dense(t)), "alice/t5");
            }
            int patches = 0;
            int unchanged = 0;
            for (Map.Entry<String, Tensor> e : merged.entrySet()) {
                Tensor target = e.getValue();
                Tensor from = base.get(e.getKey());
                byte[] encoding = from.shape().rank() == 2 ? TestTensors.xor(target, from)
                        : TestTensors.sparse(target, from);
                PutResult r = store.put(stream(encoding), "alice/t5");
                if (target.id().equals(from.id())) {
                    assertEquals(PutResult.Status.ALREADY_STORED, r.status());
                    unchanged++;
                } else {
                    assertEquals(PutResult.Status.STORED, r.status(), e.getKey());
                    assertTrue(r.storedKind().needsBase());
                    patches++;
                }
            }
            assertTrue(patches > 0, "the fine-tune changed something");
            for (Tensor t : bf16.values()) {
                store.put(stream(TestTensors.dense(t)), "bob/t5-bf16");
            }
            for (Map<String, Tensor> checkpoint : java.util.List.of(base, merged, bf16)) {
                for (Tensor t : checkpoint.values()) {
                    TensorMeta m = store.meta(t.id()).orElseThrow();
                    assertFalse(m.hasNaN() || m.hasInf(), "trained weights are finite");
                    assertArrayEquals(t.raw(), readAll(store.open(t.id()).orElseThrow()));
                }
            }
            assertFalse(store.readable("bob/t5-bf16", merged.values().iterator().next().id()),
                    "bob uploaded only bf16 tensors");
            FsckReport report = store.fsck();
            assertTrue(report.isClean(), report.toString());
            assertEquals(base.size() + patches + bf16.size(), report.tensorsChecked(), "unchanged: " + unchanged);
            assertEquals(EncodingKind.DENSE, store.meta(bf16.values().iterator().next().id()).orElseThrow().kind());
        }
    }
}
