package io.thetahost.protocol.safetensors;

import static io.thetahost.protocol.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.Fixtures;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.api.Test;

/** Parsing valid headers, and building fresh ones exactly as Python safetensors writes them. */
class SafetensorsHeaderTest {
    static final List<String> FIXTURES = Fixtures.CHECKPOINTS;
    private static final SafetensorsLimits DEFAULTS = SafetensorsLimits.defaults();

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void fixtureHeadersParse(String name) throws IOException {
        byte[] headerBytes = Fixtures.header(name);
        SafetensorsHeader h = SafetensorsHeader.parse(headerBytes, DEFAULTS);

        assertArrayEquals(headerBytes, h.bytes());
        assertEquals(Map.of("format", "pt"), h.metadata());
        assertTrue(h.hasMetadata());
        assertEquals(List.of(), h.gaps());
        assertEquals(Files.size(Fixtures.checkpoint(name)) - 8 - headerBytes.length, h.dataLength());
        assertEquals(Optional.empty(), h.checkDataArea(h.dataLength()));
        long position = 0;
        for (TensorEntry e : h.tensors()) {
            assertEquals(position, e.begin(), e.name());
            position = e.end();
        }
        assertEquals(name.equals("adapter_model") ? 24 : 52, h.tensors().size());
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void buildReproducesTheFixtureHeadersByteForByte(String name) throws IOException {
        SafetensorsHeader original = SafetensorsHeader.parse(Fixtures.header(name), DEFAULTS);
        List<TensorSpec> specs = original.tensors().stream().map(TensorSpec::of).collect(Collectors.toList());
        java.util.Collections.reverse(specs); // the input order must not matter

        SafetensorsHeader built = SafetensorsHeader.build(original.metadata(), specs);

        assertArrayEquals(original.bytes(), built.bytes());
    }

    @Test
    void buildSortsByTheReferenceDtypeOrderThenByUtf8Bytes() throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        for (DType t : DType.values()) {
            specs.add(new TensorSpec("t_" + t.formatName(), t, Shape.of(8)));
        }
        // U+FF21 sorts before U+1F600 in UTF-8 bytes (EF.. < F0..), after it in UTF-16 (FF21 > D83D).
        specs.add(new TensorSpec("\ud83d\ude00", DType.U64, Shape.of(1)));
        specs.add(new TensorSpec("\uff21", DType.U64, Shape.of(1)));

        List<String> order = SafetensorsHeader.build(null, specs).tensors().stream().map(TensorEntry::name)
                .collect(Collectors.toList());

        assertEquals(List.of("t_U64", "\uff21", "\ud83d\ude00", "t_I64", "t_F64", "t_C64", "t_F32", "t_U32", "t_I32",
                "t_BF16", "t_F16", "t_U16", "t_I16", "t_F8_E5M2FNUZ", "t_F8_E4M3FNUZ", "t_F8_E8M0", "t_F8_E4M3",
                "t_F8_E5M2", "t_I8", "t_U8", "t_F6_E3M2", "t_F6_E2M3", "t_F4", "t_BOOL"), order);
    }

    @Test
    void buildWritesCompactJsonWithSerdeEscapingAndSpacePadding() throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("zeta", "b\"\\\n\t\u0001\u001f\u007f/\u00e9\u2028");
        metadata.put("alpha", "");
        SafetensorsHeader h = SafetensorsHeader.build(metadata, List.of(
                new TensorSpec("s", DType.BF16, Shape.of()),
                new TensorSpec("x\"y", DType.F32, Shape.of(2, 1))));

        String expected = "{\"__metadata__\":{\"zeta\":\"b\\\"\\\\\\n\\t\\u0001\\u001f\u007f/\u00e9\u2028\","
                + "\"alpha\":\"\"},"
                + "\"x\\\"y\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]},"
                + "\"s\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[8,10]}}";
        String text = new String(h.bytes(), StandardCharsets.UTF_8);
        assertEquals(expected, text.stripTrailing());
        assertEquals(0, h.length() % 8);
        assertTrue(h.length() - expected.getBytes(StandardCharsets.UTF_8).length < 8);
        assertEquals(List.of("zeta", "alpha"), new ArrayList<>(h.metadata().keySet()));
        assertEquals(metadata, h.metadata());
    }

    @Test
    void buildWithoutMetadataAndWithEmptyMetadata() throws IOException {
        assertEquals("{}      ", new String(SafetensorsHeader.build(null, List.of()).bytes(), StandardCharsets.UTF_8));
        SafetensorsHeader empty = SafetensorsHeader.build(Map.of(), List.of());
        assertEquals("{\"__metadata__\":{}}     ", new String(empty.bytes(), StandardCharsets.UTF_8));
        assertTrue(empty.hasMetadata());
        assertFalse(SafetensorsHeader.build(null, List.of()).hasMetadata());
    }

    @Test
    void buildRefusesWhatCouldNotBeAValidHeader() {
        assertEquals("tensor 'a': the name appears twice", assertThrows(InvalidCheckpointException.class,
                () -> SafetensorsHeader.build(null, List.of(new TensorSpec("a", DType.F32, Shape.of(1)),
                        new TensorSpec("a", DType.F16, Shape.of(1))))).getMessage());
        assertEquals("tensor '__metadata__': the name is reserved for the metadata",
                assertThrows(InvalidCheckpointException.class, () -> SafetensorsHeader.build(null,
                        List.of(new TensorSpec("__metadata__", DType.F32, Shape.of(1))))).getMessage());
        assertEquals("tensor '\\ud800': the name holds an unpaired surrogate",
                assertThrows(InvalidCheckpointException.class, () -> SafetensorsHeader.build(null,
                        List.of(new TensorSpec("\ud800", DType.F32, Shape.of(1))))).getMessage());
        assertEquals("tensor 'odd': 3 elements of F4 are not a whole number of bytes",
                assertThrows(InvalidCheckpointException.class, () -> SafetensorsHeader.build(null,
                        List.of(new TensorSpec("odd", DType.F4, Shape.of(3))))).getMessage());
    }

    @Test
    void gapsBeforeAndBetweenTensorsAreRecorded() throws IOException {
        SafetensorsHeader h = SafetensorsHeader.parse(utf8("{\"b\":{\"dtype\":\"U8\",\"shape\":[16],"
                + "\"data_offsets\":[24,40]},\"a\":{\"dtype\":\"U8\",\"shape\":[16],\"data_offsets\":[4,20]}}"),
                DEFAULTS);

        assertEquals(List.of("a", "b"), h.tensors().stream().map(TensorEntry::name).collect(Collectors.toList()));
        assertEquals(List.of(new Gap(0, 4), new Gap(20, 4)), h.gaps());
        assertEquals(8, h.gapBytes());
        assertEquals(40, h.dataLength());
        assertEquals(Optional.empty(), h.checkDataArea(40));
        assertEquals(Optional.of(new Gap(40, 3)), h.checkDataArea(43));
        assertFalse(h.hasMetadata());
        assertEquals(Map.of(), h.metadata());
    }

    @Test
    void zeroByteTensorsAtOneOffsetKeepHeaderOrder() throws IOException {
        String z = "{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[8,8]}";
        SafetensorsHeader h = SafetensorsHeader.parse(utf8("{\"z2\":" + z + ",\"a\":{\"dtype\":\"F64\",\"shape\":[],"
                + "\"data_offsets\":[0,8]},\"z1\":" + z + ",\"z3\":" + z + "}"), DEFAULTS);

        assertEquals(List.of("a", "z2", "z1", "z3"),
                h.tensors().stream().map(TensorEntry::name).collect(Collectors.toList()));
        assertEquals(Shape.of(), h.tensor("a").orElseThrow().shape());
        assertEquals(0, h.tensor("z1").orElseThrow().size());
    }

    @Test
    void emptyHeaderHasNoTensors() throws IOException {
        SafetensorsHeader h = SafetensorsHeader.parse(utf8("{}"), DEFAULTS);
        assertEquals(List.of(), h.tensors());
        assertEquals(0, h.dataLength());
    }
}
