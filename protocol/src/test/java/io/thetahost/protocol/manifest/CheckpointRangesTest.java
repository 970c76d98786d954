package io.thetahost.protocol.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.Fixtures;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Parts of a checkpoint rebuilt from its manifest: any byte range, and the subset of matching parameters. */
class CheckpointRangesTest {
    private static final SafetensorsLimits DEFAULTS = SafetensorsLimits.defaults();

    /** The store, recording which tensors were opened. */
    private static final class Recording {
        final TensorMap store = new TensorMap();
        final List<TensorId> opened = new ArrayList<>();

        TensorSource source() {
            TensorSource inner = store.source();
            return (id, dtype, shape) -> {
                opened.add(id);
                return inner.open(id, dtype, shape);
            };
        }
    }

    private static byte[] range(Manifest m, TensorSource source, long from, long to) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Checkpoints.assemble(m, source, out, from, to);
        return out.toByteArray();
    }

    @Test
    void everyRangeIsTheSameSliceOfTheFile() throws IOException {
        byte[] file = Fixtures.bytes("adapter_model");
        Recording r = new Recording();
        Manifest m = Checkpoints.split(new ByteArrayInputStream(file), DEFAULTS, r.store.sink());
        Random random = new Random(7);
        List<long[]> ranges = new ArrayList<>(List.of(new long[] {0, 0}, new long[] {0, 8}, new long[] {0,
                file.length}, new long[] {file.length, file.length}, new long[] {file.length - 1, file.length}));
        for (int i = 0; i < 200; i++) {
            long a = random.nextInt(file.length + 1);
            long b = random.nextInt(file.length + 1);
            ranges.add(new long[] {Math.min(a, b), Math.max(a, b)});
        }
        for (long[] range : ranges) {
            assertArrayEquals(Arrays.copyOfRange(file, (int) range[0], (int) range[1]),
                    range(m, r.source(), range[0], range[1]), range[0] + "-" + range[1]);
        }
    }

    @Test
    void aRangeOverTheHeaderOpensNoTensorAndOneInsideATensorOpensOnlyIt() throws IOException {
        byte[] file = Fixtures.bytes("base");
        Recording r = new Recording();
        Manifest m = Checkpoints.split(new ByteArrayInputStream(file), DEFAULTS, r.store.sink());
        long headerEnd = 8 + m.header().length();

        assertArrayEquals(Arrays.copyOf(file, (int) headerEnd), range(m, r.source(), 0, headerEnd));
        assertEquals(List.of(), r.opened);

        int last = m.tensors().size() - 1;
        long lastBegin = headerEnd + m.header().tensors().get(last).begin();
        range(m, r.source(), lastBegin + 1, lastBegin + 2);
        assertEquals(List.of(m.tensors().get(last).id()), r.opened);
    }

    @Test
    void aCorruptTensorInsideTheRangeFailsEvenWhenTheRangeEndsBeforeTheCorruptByte() throws IOException {
        byte[] file = Fixtures.bytes("adapter_model");
        Recording r = new Recording();
        Manifest m = Checkpoints.split(new ByteArrayInputStream(file), DEFAULTS, r.store.sink());
        ManifestTensor victim = m.tensors().get(2);
        byte[] value = r.store.tensors.get(victim.id());
        value[value.length - 1] ^= 1;
        long begin = 8 + m.header().length() + m.header().tensors().get(2).begin();

        TensorMismatchException e = assertThrows(TensorMismatchException.class,
                () -> range(m, r.source(), begin, begin + 1));
        assertEquals(victim.name(), e.tensorName());
    }

    @Test
    void rangesOutsideTheFileAreRefused() throws IOException {
        Manifest m = Checkpoints.split(Fixtures.checkpoint("adapter_model"), DEFAULTS, TensorSink.DISCARD);
        TensorSource none = (id, dtype, shape) -> null;
        assertThrows(IllegalArgumentException.class, () -> range(m, none, -1, 3));
        assertThrows(IllegalArgumentException.class, () -> range(m, none, 5, 4));
        assertThrows(IllegalArgumentException.class, () -> range(m, none, 0, m.fileSize() + 1));
    }

    @Test
    void theAdapterSubsetOfBaseAndAdapterIsPeftsAdapterFileByteForByte() throws IOException {
        // peft's adapter file and the base model share no names; a checkpoint holding both, subset by "*lora*",
        // must give back the adapter file as Python's safetensors wrote it.
        Manifest adapter = Checkpoints.split(Fixtures.checkpoint("adapter_model"), DEFAULTS, TensorSink.DISCARD);
        Manifest sub = adapter.subset(name -> name.contains("lora")).orElseThrow();
        assertEquals(adapter.tensors(), sub.tensors());
        assertArrayEquals(adapter.headerBytes(), sub.headerBytes());
        assertTrue(adapter.subset(name -> false).isEmpty());
    }
}
