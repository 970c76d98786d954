package io.thetahost.protocol.safetensors;

import static io.thetahost.protocol.Fixtures.file;
import static io.thetahost.protocol.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One test per refusal rule, each with the exact message a user sees. */
class HostileHeaderTest {
    private static final SafetensorsLimits DEFAULTS = SafetensorsLimits.defaults();
    private static final String F32_4 = "{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}";

    @TempDir
    Path tmp;

    // ---- the length field

    @Test
    void headerLengthOf2To40IsRefusedBeforeReadingIt() {
        assertEquals("header length 1099511627776 exceeds the limit of 100000000 bytes",
                openRefused(file(1L << 40, utf8("{}"), new byte[0])));
    }

    @Test
    void headerLengthIsUnsigned() {
        assertEquals("header length 9223372036854775808 exceeds the limit of 100000000 bytes",
                openRefused(file(Long.MIN_VALUE, utf8("{}"), new byte[0])));
        assertEquals("header length 18446744073709551615 exceeds the limit of 100000000 bytes",
                openRefused(file(-1L, utf8("{}"), new byte[0])));
    }

    @Test
    void headerLengthBelowTwoIsRefused() {
        assertEquals("header length 1 is too small (the smallest header, {}, is 2 bytes)",
                openRefused(file(1, utf8("{"), new byte[0])));
        assertEquals("header length 0 is too small (the smallest header, {}, is 2 bytes)",
                openRefused(file(0, new byte[0], new byte[0])));
    }

    @Test
    void headerLengthOverAConfiguredLimit() {
        SafetensorsLimits small = DEFAULTS.withMaxHeaderBytes(64);
        InvalidCheckpointException e = assertThrows(InvalidCheckpointException.class,
                () -> SafetensorsReader.open(new ByteArrayInputStream(file(new byte[72], new byte[0])), small));
        assertEquals("header length 72 exceeds the limit of 64 bytes", e.getMessage());
        assertEquals("header length 72 exceeds the limit of 64 bytes", parseRefused(new byte[72], small));
    }

    @Test
    void fileShorterThanTheLengthField() {
        assertEquals("the file ends after 3 bytes, inside the 8-byte header length that starts a safetensors file",
                openRefused(new byte[3]));
    }

    @Test
    void headerLongerThanTheStream() {
        byte[] f = file(100, utf8("{}        "), new byte[0]);
        assertEquals("the file ends inside the header, after 10 of its 100 bytes", openRefused(f));
    }

    @Test
    void headerLongerThanTheFileIsRefusedFromItsSize() throws IOException {
        Path p = tmp.resolve("short.safetensors");
        Files.write(p, file(100, utf8("{}        "), new byte[0]));
        InvalidCheckpointException e = assertThrows(InvalidCheckpointException.class,
                () -> SafetensorsReader.open(p, DEFAULTS));
        assertEquals("header length 100 is longer than the rest of the file (10 bytes)", e.getMessage());
    }

    // ---- text and JSON

    @Test
    void headerThatIsNotUtf8() {
        byte[] h = utf8("{\"ab\":" + F32_4 + "}");
        h[3] = (byte) 0xff;
        assertEquals("header is not valid UTF-8 (at byte 3)", parseRefused(h));
        assertEquals("header is not valid UTF-8 (at byte 2)",
                parseRefused(new byte[] {'{', '"', (byte) 0xc0, (byte) 0xaf, '"', ':', '1', '}'})); // overlong '/'
        assertEquals("header is not valid UTF-8 (at byte 2)",
                parseRefused(new byte[] {'{', '"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'})); // a surrogate
    }

    @Test
    void headerThatIsNotJson() {
        assertEquals("header must be a JSON object starting at its first byte, found 'h'",
                parseRefused(utf8("hello, world")));
        String m = parseRefused(utf8("{\"a\" " + F32_4 + "}"));
        assertTrue(m.startsWith("header is not valid JSON at byte 5: Unexpected character ('{' (code 123))"), m);
        m = parseRefused(utf8("{\"a\":" + F32_4));
        assertTrue(m.startsWith("header is not valid JSON at byte "), m);
        assertTrue(m.contains("end-of-input"), m);
    }

    @Test
    void headerThatIsAJsonArrayOrOtherValue() {
        assertEquals("header must be a JSON object starting at its first byte, found an array",
                parseRefused(utf8("[1,2]   ")));
        assertEquals("header must be a JSON object starting at its first byte, found a string",
                parseRefused(utf8("\"{}\"    ")));
        assertEquals("header must be a JSON object starting at its first byte, found ' '",
                parseRefused(utf8(" {}     ")));
    }

    @Test
    void trailingGarbageAfterTheObject() {
        assertEquals("header has 'x' at byte 3 after its JSON object ends (only spaces may pad it)",
                parseRefused(utf8("{} x    ")));
        assertEquals("header has '{' at byte 2 after its JSON object ends (only spaces may pad it)",
                parseRefused(utf8("{}{}    ")));
        assertEquals("header has the character U+000A at byte 2 after its JSON object ends (only spaces may pad it)",
                parseRefused(utf8("{}\n     ")));
        assertEquals("header has the character U+0000 at byte 2 after its JSON object ends (only spaces may pad it)",
                parseRefused(new byte[] {'{', '}', 0, 0, 0, 0, 0, 0}));
    }

    @Test
    void nestingBombsAreRefusedAtTheirFirstToken() {
        char[] deep = new char[100_000];
        Arrays.fill(deep, '[');
        assertEquals("header must be a JSON object starting at its first byte, found an array",
                parseRefused(utf8(new String(deep))));
        assertEquals("tensor 'a': expected an object with dtype, shape and data_offsets, found an array",
                parseRefused(utf8("{\"a\":" + new String(deep))));
        assertEquals("tensor 'a': shape must hold only integers, found an array",
                parseRefused(utf8("{\"a\":{\"dtype\":\"F32\",\"shape\":" + new String(deep))));
        assertEquals("__metadata__: the value of 'k' must be a string, found an array",
                parseRefused(utf8("{\"__metadata__\":{\"k\":" + new String(deep))));
        String objects = "{\"a\":".repeat(50_000);
        assertEquals("tensor 'a': unknown key 'a' (an entry holds only dtype, shape and data_offsets)",
                parseRefused(utf8(objects)));
    }

    // ---- names and keys

    @Test
    void duplicateTensorNames() {
        assertEquals("tensor 'a': the name appears twice in the header",
                parseRefused(utf8("{\"a\":" + F32_4 + ",\"a\":" + F32_4 + "}")));
    }

    @Test
    void duplicateMetadataAndEntryKeys() {
        assertEquals("header has two __metadata__ keys",
                parseRefused(utf8("{\"__metadata__\":{},\"__metadata__\":{}}")));
        assertEquals("__metadata__: the key 'k' appears twice",
                parseRefused(utf8("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}")));
        assertEquals("tensor 'a': the key dtype appears twice",
                parseRefused(utf8("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\"}}")));
    }

    @Test
    void unknownAndMissingEntryKeys() {
        assertEquals("tensor 'a': unknown key 'offsets' (an entry holds only dtype, shape and data_offsets)",
                parseRefused(utf8("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"offsets\":[0,16]}}")));
        assertEquals("tensor 'a': missing shape",
                parseRefused(utf8("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,16]}}")));
        assertEquals("tensor 'a': missing data_offsets",
                parseRefused(utf8("{\"a\":{\"dtype\":\"F32\",\"shape\":[4]}}")));
        assertEquals("tensor 'a': expected an object with dtype, shape and data_offsets, found a number",
                parseRefused(utf8("{\"a\":1}")));
    }

    @Test
    void namesWithUnpairedSurrogateEscapes() {
        assertEquals("tensor '\\ud800x': the name holds an unpaired surrogate escape (\\ud800)",
                parseRefused(utf8("{\"\\ud800x\":" + F32_4 + "}")));
        assertEquals("__metadata__: the value of 'k' holds an unpaired surrogate escape (\\udc00)",
                parseRefused(utf8("{\"__metadata__\":{\"k\":\"\\udc00\"}}")));
    }

    @Test
    void tooManyTensors() {
        assertEquals("header declares more tensors than the limit of 1",
                parseRefused(utf8("{\"a\":" + F32_4 + ",\"b\":" + F32_4.replace("[0,16]", "[16,32]") + "}"),
                        DEFAULTS.withMaxTensors(1)));
    }

    // ---- dtype and shape

    @Test
    void unknownDtype() {
        assertEquals("tensor 'a': unknown dtype 'F31'",
                parseRefused(utf8("{\"a\":" + F32_4.replace("F32", "F31") + "}")));
        assertEquals("tensor 'a': unknown dtype 'f32'",
                parseRefused(utf8("{\"a\":" + F32_4.replace("F32", "f32") + "}")));
        assertEquals("tensor 'a': dtype must be a string, found a number",
                parseRefused(utf8("{\"a\":" + F32_4.replace("\"F32\"", "32") + "}")));
    }

    @Test
    void negativeShapeEntry() {
        assertEquals("tensor 'a': shape holds the negative number -4",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[4]", "[-4]") + "}")));
        assertEquals("tensor 'a': shape holds the negative number -0",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[4]", "[-0]") + "}")));
    }

    @Test
    void floatShapeEntry() {
        assertEquals("tensor 'a': shape holds 4.0, not an integer",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[4]", "[4.0]") + "}")));
        assertEquals("tensor 'a': shape holds 4e0, not an integer",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[4]", "[4e0]") + "}")));
    }

    @Test
    void hugeShapeEntry() {
        assertEquals("tensor 'a': shape holds 18446744073709551616, larger than the largest allowed "
                + "(9223372036854775807)",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[4]", "[18446744073709551616]") + "}")));
        String m = parseRefused(utf8("{\"a\":" + F32_4.replace("[4]", "[" + "9".repeat(100) + "]") + "}"));
        assertTrue(m.startsWith("tensor 'a': header exceeds a parser limit at byte "), m);
        assertTrue(m.contains("Number value length"), m);
    }

    @Test
    void shapeWhoseElementCountOverflows() {
        assertEquals("tensor 'a': shape [4294967296, 4294967296] has more elements than a 64-bit count holds",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[4]", "[4294967296,4294967296]") + "}")));
        assertEquals("tensor 'a': F32 [2305843009213693952] is too large (2305843009213693952 elements overflow a "
                + "64-bit size in bits)",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[4]", "[2305843009213693952]") + "}")));
    }

    @Test
    void tooManyDimensions() {
        String dims = "[" + "1,".repeat(32) + "1]";
        assertEquals("tensor 'a': shape has more than 32 dimensions",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[4]", dims) + "}")));
    }

    @Test
    void sizeThatDoesNotMatchTheShape() {
        assertEquals("tensor 'a': data_offsets [0, 12] hold 12 bytes but F32 [2, 2] needs 16",
                parseRefused(utf8("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}")));
        assertEquals("tensor 'a': data_offsets [0, 16] hold 16 bytes but F32 [0] needs 0",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[4]", "[0]") + "}")));
    }

    @Test
    void subByteTypesMustFillWholeBytes() throws IOException {
        assertEquals("tensor 'a': 3 elements of F4 (4 bits each) are not a whole number of bytes",
                parseRefused(utf8("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}")));
        assertEquals("tensor 'a': 3 elements of F6_E2M3 (6 bits each) are not a whole number of bytes",
                parseRefused(utf8("{\"a\":{\"dtype\":\"F6_E2M3\",\"shape\":[3],\"data_offsets\":[0,3]}}")));
        assertEquals(1, SafetensorsHeader.parse(
                utf8("{\"a\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[0,1]}}"), DEFAULTS).dataLength());
    }

    // ---- offsets

    @Test
    void offsetsThatOverlap() {
        assertEquals("tensor 'b': data_offsets [8, 24] overlap the previous tensor 'a' (ends at 16)",
                parseRefused(utf8("{\"a\":" + F32_4 + ",\"b\":" + F32_4.replace("[0,16]", "[8,24]") + "}")));
        assertEquals("tensor 'z': data_offsets [4, 4] overlap the previous tensor 'a' (ends at 16)",
                parseRefused(utf8("{\"a\":" + F32_4
                        + ",\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}")));
    }

    @Test
    void offsetsThatAreNotAPair() {
        assertEquals("tensor 'a': data_offsets must be two integers [begin, end], found more",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[0,16]", "[0,16,32]") + "}")));
        assertEquals("tensor 'a': data_offsets must be two integers [begin, end], found 1",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[0,16]", "[16]") + "}")));
        assertEquals("tensor 'a': data_offsets [16, 0] end before they begin",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[0,16]", "[16,0]") + "}")));
        assertEquals("tensor 'a': data_offsets holds the negative number -16",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[0,16]", "[-16,0]") + "}")));
    }

    @Test
    void offsetsBeyondTheDataArea() throws IOException {
        byte[] f = file(utf8("{\"a\":" + F32_4 + "}"), new byte[8]);
        assertEquals("tensor 'a': the file ends inside its data (data_offsets [0, 16]), after 8 of its 16 bytes",
                readRefused(f));
        Path p = tmp.resolve("truncated.safetensors");
        Files.write(p, f);
        InvalidCheckpointException e = assertThrows(InvalidCheckpointException.class,
                () -> SafetensorsReader.open(p, DEFAULTS));
        assertEquals("tensor 'a': data_offsets [0, 16] end beyond the data area (8 bytes)", e.getMessage());
    }

    @Test
    void gapsOverTheLimit() {
        SafetensorsLimits noGaps = DEFAULTS.withMaxGapBytes(0);
        assertEquals("tensor 'a': data_offsets [8, 24] leave 8 bytes before it that no tensor covers; gaps may "
                + "total at most 0 bytes",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[0,16]", "[8,24]") + "}"), noGaps));
        assertEquals("tensor 'b': data_offsets [1100016, 1100032] leave 1000000 bytes before it that no tensor "
                + "covers; gaps may total at most 1048576 bytes and 100000 are used before it",
                parseRefused(utf8("{\"a\":" + F32_4.replace("[0,16]", "[100000,100016]") + ",\"b\":"
                        + F32_4.replace("[0,16]", "[1100016,1100032]") + "}")));
    }

    @Test
    void trailingBytesOverTheGapLimit() throws IOException {
        SafetensorsLimits noGaps = DEFAULTS.withMaxGapBytes(0);
        byte[] f = file(utf8("{\"a\":" + F32_4 + "}"), new byte[20]);
        assertEquals("the data area has more than 0 bytes after the last tensor (ends at 16) that no tensor covers; "
                + "gaps may total at most 0 bytes", readRefused(f, noGaps));
        Path p = tmp.resolve("long.safetensors");
        Files.write(p, f);
        InvalidCheckpointException e = assertThrows(InvalidCheckpointException.class,
                () -> SafetensorsReader.open(p, noGaps));
        assertEquals("the data area has 4 bytes after the last tensor (ends at 16) that no tensor covers; gaps may "
                + "total at most 0 bytes", e.getMessage());
    }

    // ---- metadata

    @Test
    void metadataWithANonStringValue() {
        assertEquals("__metadata__: the value of 'k' must be a string, found a number",
                parseRefused(utf8("{\"__metadata__\":{\"k\":1}}")));
        assertEquals("__metadata__: the value of 'k' must be a string, found an object",
                parseRefused(utf8("{\"__metadata__\":{\"k\":{}}}")));
        assertEquals("__metadata__ must be an object of strings, found an array",
                parseRefused(utf8("{\"__metadata__\":[]}")));
        assertEquals("__metadata__ must be an object of strings, found null",
                parseRefused(utf8("{\"__metadata__\":null}")));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void fiftyMegabyteMetadataStringIsFineUnderTheDefaultLimit() throws IOException {
        String big = "x".repeat(50_000_000);
        SafetensorsHeader h = SafetensorsHeader.parse(utf8("{\"__metadata__\":{\"k\":\"" + big + "\"}}"), DEFAULTS);
        assertEquals(50_000_000, h.metadata().get("k").length());
    }

    @Test
    void metadataStringOverTheLimitIsRefused() {
        SafetensorsLimits small = DEFAULTS.withMaxHeaderBytes(1_000_000);
        byte[] header = utf8("{\"__metadata__\":{\"k\":\"" + "x".repeat(2_000_000) + "\"}}");
        assertEquals("header length 2000025 exceeds the limit of 1000000 bytes", parseRefused(header, small));
        assertEquals("header length 2000025 exceeds the limit of 1000000 bytes",
                openRefused(file(header, new byte[0]), small));
    }

    // ---- helpers

    private static String parseRefused(byte[] header) {
        return parseRefused(header, DEFAULTS);
    }

    private static String parseRefused(byte[] header, SafetensorsLimits limits) {
        return assertThrows(InvalidCheckpointException.class, () -> SafetensorsHeader.parse(header, limits))
                .getMessage();
    }

    private static String openRefused(byte[] file) {
        return openRefused(file, DEFAULTS);
    }

    private static String openRefused(byte[] file, SafetensorsLimits limits) {
        return assertThrows(InvalidCheckpointException.class,
                () -> SafetensorsReader.open(new ByteArrayInputStream(file), limits)).getMessage();
    }

    private static String readRefused(byte[] file) {
        return readRefused(file, DEFAULTS);
    }

    /** Reads the whole file, every tensor to its end. */
    private static String readRefused(byte[] file, SafetensorsLimits limits) {
        return assertThrows(InvalidCheckpointException.class, () -> {
            try (SafetensorsReader r = SafetensorsReader.open(new ByteArrayInputStream(file), limits)) {
                for (DataItem item; (item = r.next()) != null; ) {
                    if (item instanceof TensorData) {
                        ((TensorData) item).bytes().readAllBytes();
                    }
                }
            }
        }).getMessage();
    }
}
