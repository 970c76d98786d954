package io.thetahost.protocol.manifest;

import static io.thetahost.protocol.Fixtures.file;
import static io.thetahost.protocol.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.safetensors.GapBytes;
import io.thetahost.protocol.safetensors.SafetensorsHeader;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.safetensors.TensorSpec;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The canonical manifest layout, and every way a manifest is refused. */
class ManifestFormatTest {
    private static final SafetensorsLimits DEFAULTS = SafetensorsLimits.defaults();
    private static final byte[] A = {1, 2, 3, 4, 5, 6, 7, 8};
    private static final byte[] S = {9, 10};

    @Test
    void layoutIsOneTensorPerLineInAFixedKeyOrder() throws IOException {
        Manifest m = twoTensors();
        String header = new String(m.headerBytes(), StandardCharsets.UTF_8);
        assertEquals("{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"s\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[8,10]}}", header.stripTrailing());

        assertEquals("{\n"
                + "  \"thetahost_manifest\": 1,\n"
                + "  \"format\": \"safetensors\",\n"
                + "  \"header\": \"" + header.replace("\"", "\\\"") + "\",\n"
                + "  \"tensors\": [\n"
                + "    {\"name\": \"a\", \"dtype\": \"F32\", \"shape\": [2], \"id\": \""
                + TensorId.of(DType.F32, Shape.of(2), A) + "\"},\n"
                + "    {\"name\": \"s\", \"dtype\": \"BF16\", \"shape\": [], \"id\": \""
                + TensorId.of(DType.BF16, Shape.of(), S) + "\"}\n"
                + "  ],\n"
                + "  \"gaps\": []\n"
                + "}\n", text(m));
    }

    @Test
    void gapsAreBase64OnePerLineAndEmptyListsStayOnOneLine() throws IOException {
        byte[] header = utf8("{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[2,2]}}");
        Manifest m = Checkpoints.split(new ByteArrayInputStream(file(header, new byte[] {7, 7, 9})), DEFAULTS,
                TensorSink.DISCARD);
        assertEquals(List.of(new GapBytes(0, new byte[] {7, 7}), new GapBytes(2, new byte[] {9})), m.gaps());
        assertTrue(text(m).endsWith("  \"gaps\": [\n"
                + "    {\"offset\": 0, \"bytes\": \"Bwc=\"},\n"
                + "    {\"offset\": 2, \"bytes\": \"CQ==\"}\n"
                + "  ]\n"
                + "}\n"), text(m));

        Manifest empty = Checkpoints.split(new ByteArrayInputStream(file(utf8("{}"), new byte[0])), DEFAULTS,
                TensorSink.DISCARD);
        assertEquals("{\n  \"thetahost_manifest\": 1,\n  \"format\": \"safetensors\",\n  \"header\": \"{}\",\n"
                + "  \"tensors\": [],\n  \"gaps\": []\n}\n", text(empty));
    }

    @Test
    void stringsEscapeOnlyQuotesBackslashesAndControls() throws IOException {
        byte[] header = utf8("{\n\"q\\\"\\\\\\u0001\u00e9\ud83d\ude00\\/\":{\"dtype\":\"U8\",\"shape\":[1],"
                + "\"data_offsets\":[0,1]}}\t");
        assertThrows(IOException.class, () -> SafetensorsHeader.parse(header, DEFAULTS), "tab padding");
        byte[] padded = utf8("{\n\"q\\\"\\\\\\u0001\u00e9\ud83d\ude00\\/\":{\"dtype\":\"U8\",\"shape\":[1],"
                + "\"data_offsets\":[0,1]}}  ");
        Manifest m = Checkpoints.split(new ByteArrayInputStream(file(padded, new byte[1])), DEFAULTS,
                TensorSink.DISCARD);
        String t = text(m);

        assertTrue(t.contains("  \"header\": \"{\\u000a\\\"q\\\\\\\"\\\\\\\\\\\\u0001\u00e9\ud83d\ude00\\\\/\\\":"), t);
        assertTrue(t.contains("{\"name\": \"q\\\"\\\\\\u0001\u00e9\ud83d\ude00/\", \"dtype\": \"U8\""), t);
        assertEquals(m, ManifestFormat.read(ManifestFormat.write(m)));
    }

    @Test
    void notUtf8OrNotJson() throws IOException {
        byte[] bytes = ManifestFormat.write(twoTensors());
        bytes[40] = (byte) 0xff;
        assertEquals("manifest is not valid UTF-8 (at byte 40)", refused(bytes));
        String m = refused(utf8("hello"));
        assertTrue(m.startsWith("manifest is not valid JSON at character 0: Unrecognized token 'hello'"), m);
        assertEquals("manifest must be a JSON object, found an array", refused(utf8("[]")));
        assertEquals("manifest must be a JSON object, found the end of the manifest", refused(utf8("")));
    }

    @Test
    void versionAndFormatAreChecked() throws IOException {
        String t = text(twoTensors());
        assertEquals("not a Thetahost manifest: its first key must be \"thetahost_manifest\"",
                refused(t.replace("\"thetahost_manifest\": 1,\n  \"format\": \"safetensors\"",
                        "\"format\": \"safetensors\",\n  \"thetahost_manifest\": 1")));
        assertEquals("manifest version 2 is not supported (this build reads version 1)",
                refused(t.replace("\"thetahost_manifest\": 1", "\"thetahost_manifest\": 2")));
        assertEquals("manifest version must be an integer, found a string",
                refused(t.replace("\"thetahost_manifest\": 1", "\"thetahost_manifest\": \"1\"")));
        assertEquals("manifest format 'gguf' is not supported (only safetensors)",
                refused(t.replace("\"safetensors\"", "\"gguf\"")));
    }

    @Test
    void unknownAndMisplacedKeys() throws IOException {
        String t = text(twoTensors());
        assertEquals("manifest: unknown key 'extra'", refused(t.replace("\"gaps\": []", "\"gaps\": [], \"extra\": 1")));
        assertEquals("tensor 'a': unknown key 'note'",
                refused(t.replace("\"F32\", \"shape\": [2], \"id\": \"" + idOf(A, DType.F32, 2) + "\"",
                        "\"F32\", \"shape\": [2], \"id\": \"" + idOf(A, DType.F32, 2) + "\", \"note\": 1")));
        assertEquals("manifest is not in canonical form: tensor 0 has the key 'dtype' where \"name\" belongs",
                refused(t.replace("{\"name\": \"a\", \"dtype\": \"F32\"", "{\"dtype\": \"F32\", \"name\": \"a\"")));
        assertEquals("manifest is not in canonical form: manifest has the key 'format' where \"header\" belongs",
                refused(t.replace("\"format\": \"safetensors\",", "\"format\": \"safetensors\", \"format\": \"x\",")));
        assertEquals("manifest: missing key \"gaps\"", refused(t.replace(",\n  \"gaps\": []", "")));
    }

    @Test
    void tensorsMustAgreeWithTheHeader() throws IOException {
        String t = text(twoTensors());
        String lineA = t.substring(t.indexOf("    {\"name\": \"a\""), t.indexOf("    {\"name\": \"s\""));
        assertEquals("tensor 0: the manifest lists 'x' where the header has 'a'",
                refused(t.replace("{\"name\": \"a\"", "{\"name\": \"x\"")));
        assertEquals("tensor 'a': the manifest says dtype 'F16', the header says F32",
                refused(t.replace("\"dtype\": \"F32\"", "\"dtype\": \"F16\"")));
        assertEquals("tensor 'a': the manifest says shape [1, 2], the header says [2]",
                refused(t.replace("\"shape\": [2]", "\"shape\": [1, 2]")));
        assertEquals("tensor 'a': shape must hold non-negative integers, found -2",
                refused(t.replace("\"shape\": [2]", "\"shape\": [-2]")));
        String lineS = t.substring(t.indexOf(",\n    {\"name\": \"s\""), t.indexOf("\n  ],"));
        assertEquals("the manifest lists 1 of the 2 tensors its header declares", refused(t.replace(lineS, "")));
        assertEquals("the manifest lists more tensors than its header declares (2)",
                refused(t.replace("\n  ],", ",\n" + lineA.replace(",\n", "") + "\n  ],")));
        String id = idOf(A, DType.F32, 2);
        assertEquals("tensor 'a': not a tensor id: '" + id.toUpperCase().replace("SHA256", "sha256")
                + "' (lowercase hex only)", refused(t.replace(id, id.toUpperCase().replace("SHA256", "sha256"))));
        assertEquals("tensor 'a': not a tensor id: 'md5:00' (expected sha256:<64 hex>)",
                refused(t.replace(id, "md5:00")));
    }

    @Test
    void theEmbeddedHeaderIsValidated() throws IOException {
        String t = text(twoTensors());
        String header = t.substring(t.indexOf("\"header\": \"") + 11, t.indexOf("\",\n  \"tensors\""));
        assertEquals("manifest header: header must be a JSON object starting at its first byte, found an array",
                refused(t.replace(header, "[]")));
        assertEquals("manifest header: tensor 'a': data_offsets [0, 9] hold 9 bytes but F32 [2] needs 8",
                refused(t.replace("[0,8]", "[0,9]")));
    }

    @Test
    void gapsMustBeWhereTheHeaderLeavesThem() throws IOException {
        String t = text(twoTensors());
        assertEquals("the last gap starts at data offset 5, not where the last tensor ends (10)",
                refused(t.replace("\"gaps\": []", "\"gaps\": [\n    {\"offset\": 5, \"bytes\": \"AA==\"}\n  ]")));
        assertEquals("gap 0 at data offset 10: bytes are not base64 (Illegal base64 character 2a)",
                refused(t.replace("\"gaps\": []", "\"gaps\": [\n    {\"offset\": 10, \"bytes\": \"**==\"}\n  ]")));
        assertEquals("gaps total 1048577 bytes, over the limit of 1048576", refused(t.replace("\"gaps\": []",
                "\"gaps\": [\n    {\"offset\": 10, \"bytes\": \"" + java.util.Base64.getEncoder()
                        .encodeToString(new byte[(1 << 20) + 1]) + "\"}\n  ]")));
        String withGap = t.replace("\"gaps\": []", "\"gaps\": [\n    {\"offset\": 10, \"bytes\": \"AA==\"}\n  ]");
        assertEquals(List.of(new GapBytes(10, new byte[1])), ManifestFormat.read(utf8(withGap)).gaps());
        assertEquals("manifest is not in canonical form (it differs from the canonical writing at byte "
                + (withGap.indexOf("AA==") + 2) + ")", refused(withGap.replace("AA==", "AA")));
    }

    @Test
    void anythingButTheCanonicalBytesIsRefused() throws IOException {
        String t = text(twoTensors());
        String notCanonical = "manifest is not in canonical form (it differs from the canonical writing at byte ";
        assertEquals(notCanonical + (t.length() - 1) + ")", refused(t.substring(0, t.length() - 1)));
        assertEquals(notCanonical + t.length() + ")", refused(t + "\n"));
        assertEquals(notCanonical + t.indexOf("\"format\"") + ")", refused(t.replace("  \"format\"", "   \"format\"")));
        assertEquals(notCanonical + (t.indexOf("\"name\": \"a\"") + 9) + ")",
                refused(t.replace("\"name\": \"a\"", "\"name\": \"\\u0061\"")));
        assertEquals(notCanonical + (t.indexOf(": 1,") + 1) + ")",
                refused(t.replace("\"thetahost_manifest\": 1", "\"thetahost_manifest\":1")));
    }

    @Test
    void sizeIsLimitedBeforeParsing() throws IOException {
        SafetensorsLimits tiny = new SafetensorsLimits(16, 0, 0);
        assertEquals(4240, ManifestFormat.maxManifestBytes(tiny));
        InvalidManifestException e = assertThrows(InvalidManifestException.class,
                () -> ManifestFormat.read(new byte[5000], tiny));
        assertEquals("manifest is 5000 bytes, over the limit of 4240 for these checkpoint limits", e.getMessage());
        assertTrue(ManifestFormat.maxManifestBytes(DEFAULTS) < Integer.MAX_VALUE);
    }

    @Test
    void manifestOfRefusesIdsAndGapsThatDoNotFitTheHeader() throws IOException {
        Manifest m = twoTensors();
        TensorId id = m.tensors().get(0).id();
        assertEquals("the manifest lists 1 of the 2 tensors its header declares", assertThrows(
                IllegalArgumentException.class, () -> Manifest.of(m.header(), List.of(id), List.of())).getMessage());
        assertEquals("the manifest lacks the gap of 2 bytes at data offset 0", assertThrows(
                IllegalArgumentException.class, () -> Manifest.of(SafetensorsHeader.parse(
                        utf8("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[2,3]}}"), DEFAULTS),
                        List.of(id), List.of())).getMessage());
    }

    private static Manifest twoTensors() throws IOException {
        SafetensorsHeader h = SafetensorsHeader.build(Map.of("k", "v"), List.of(
                new TensorSpec("s", DType.BF16, Shape.of()), new TensorSpec("a", DType.F32, Shape.of(2))));
        byte[] data = new byte[10];
        System.arraycopy(A, 0, data, 0, 8);
        System.arraycopy(S, 0, data, 8, 2);
        return Checkpoints.split(new ByteArrayInputStream(file(h.bytes(), data)), DEFAULTS, TensorSink.DISCARD);
    }

    private static String idOf(byte[] raw, DType dtype, long... dims) {
        return TensorId.of(dtype, Shape.of(dims), raw).toString();
    }

    private static String text(Manifest m) {
        return new String(ManifestFormat.write(m), StandardCharsets.UTF_8);
    }

    private static String refused(String manifest) {
        return refused(utf8(manifest));
    }

    private static String refused(byte[] manifest) {
        return assertThrows(InvalidManifestException.class, () -> ManifestFormat.read(manifest, DEFAULTS))
                .getMessage();
    }
}
