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
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The real checkpoints: split into manifest plus tensors, assembled back byte for byte. */
class CheckpointsFixtureTest {
    static final List<String> FIXTURES = Fixtures.CHECKPOINTS;
    private static final SafetensorsLimits DEFAULTS = SafetensorsLimits.defaults();

    @TempDir
    Path tmp;

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void splitThenAssembleGivesTheSameBytes(String name) throws IOException {
        byte[] original = Fixtures.bytes(name);
        TensorMap store = new TensorMap();

        Manifest manifest = Checkpoints.split(new ByteArrayInputStream(original), DEFAULTS, store.sink());
        Path rebuilt = tmp.resolve(name + ".safetensors");
        try (OutputStream out = Files.newOutputStream(rebuilt)) {
            Checkpoints.assemble(manifest, store.source(), out);
        }

        assertEquals(-1L, Files.mismatch(Fixtures.checkpoint(name), rebuilt));
        assertTrue(Arrays.equals(original, Files.readAllBytes(rebuilt)));
        assertEquals(original.length, manifest.fileSize());
        assertEquals(manifest.tensors().size(), store.tensors.size(), "no two tensors of a fixture are equal");
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void theManifestIsCanonicalAndReadsBack(String name) throws IOException {
        Manifest fromStream = Checkpoints.split(new ByteArrayInputStream(Fixtures.bytes(name)), DEFAULTS,
                TensorSink.DISCARD);
        Manifest fromPath = Checkpoints.split(Fixtures.checkpoint(name), DEFAULTS, new TensorMap().sink());

        byte[] bytes = ManifestFormat.write(fromStream);
        assertArrayEquals(bytes, ManifestFormat.write(fromPath));
        Manifest read = ManifestFormat.read(bytes);
        assertEquals(fromStream, read);
        assertArrayEquals(bytes, ManifestFormat.write(read));
        assertArrayEquals(Fixtures.header(name), read.headerBytes());
    }

    @Test
    void loraMergedSharesTheIdsOfItsFortyUnchangedTensorsWithBase() throws IOException {
        Manifest base = Checkpoints.split(Fixtures.checkpoint("base"), DEFAULTS, TensorSink.DISCARD);
        Manifest merged = Checkpoints.split(Fixtures.checkpoint("lora_merged"), DEFAULTS, TensorSink.DISCARD);

        assertEquals(52, base.tensors().size());
        assertArrayEquals(base.headerBytes(), merged.headerBytes());
        Set<TensorId> baseIds = base.tensors().stream().map(ManifestTensor::id).collect(Collectors.toSet());
        List<String> changed = merged.tensors().stream().filter(t -> !baseIds.contains(t.id()))
                .map(ManifestTensor::name).collect(Collectors.toList());
        assertEquals(12, changed.size());
        assertTrue(changed.stream().allMatch(n -> n.matches("transformer\\.h\\.[0-3]\\.(attn\\.c_attn|attn\\.c_proj"
                + "|mlp\\.c_proj)\\.weight")), changed.toString());
        Set<TensorId> shared = new HashSet<>(baseIds);
        shared.retainAll(merged.tensors().stream().map(ManifestTensor::id).collect(Collectors.toSet()));
        assertEquals(40, shared.size());
    }

    @Test
    void assembleRefusesBytesThatDoNotHashToTheId() throws IOException {
        TensorMap store = new TensorMap();
        Manifest m = Checkpoints.split(Fixtures.checkpoint("adapter_model"), DEFAULTS, store.sink());
        ManifestTensor victim = m.tensors().get(3);
        store.tensors.get(victim.id())[17] ^= 1;

        TensorMismatchException e = assertThrows(TensorMismatchException.class,
                () -> Checkpoints.assemble(m, store.source(), new ByteArrayOutputStream()));
        assertEquals(victim.name(), e.tensorName());
        assertEquals(victim.id(), e.id());
        assertTrue(e.getMessage().startsWith("tensor '" + victim.name() + "' (" + victim.id()
                + "): the bytes from the tensor source hash to sha256:"), e.getMessage());
        assertTrue(e.getMessage().endsWith(", not to the manifest's id"), e.getMessage());
    }

    @Test
    void assembleRefusesShortAndLongSources() throws IOException {
        TensorMap store = new TensorMap();
        Manifest m = Checkpoints.split(Fixtures.checkpoint("adapter_model"), DEFAULTS, store.sink());
        ManifestTensor victim = m.tensors().get(0);
        byte[] value = store.tensors.get(victim.id());
        String where = "tensor '" + victim.name() + "' (" + victim.id() + "): ";

        store.tensors.put(victim.id(), Arrays.copyOf(value, value.length - 1));
        assertEquals(where + "the tensor source gave 5119 of its 5120 bytes", assertThrows(
                TensorMismatchException.class,
                () -> Checkpoints.assemble(m, store.source(), new ByteArrayOutputStream())).getMessage());

        store.tensors.put(victim.id(), Arrays.copyOf(value, value.length + 1));
        assertEquals(where + "the tensor source gave more than its 5120 bytes", assertThrows(
                TensorMismatchException.class,
                () -> Checkpoints.assemble(m, store.source(), new ByteArrayOutputStream())).getMessage());

        store.tensors.remove(victim.id());
        IOException missing = assertThrows(IOException.class,
                () -> Checkpoints.assemble(m, store.source(), new ByteArrayOutputStream()));
        assertEquals(where + "the tensor source cannot give it: " + victim.id(), missing.getMessage());
    }
}
