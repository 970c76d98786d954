package io.thetahost.protocol.safetensors;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import io.thetahost.protocol.json.JsonTokens;
import io.thetahost.protocol.json.StrictJson;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates a safetensors header with Jackson's streaming parser, one token at a time, so hostile input is refused
 * at the first token that breaks a rule and nothing is built that the rules would not allow.
 *
 * <p>Duplicate keys are detected here rather than with Jackson's STRICT_DUPLICATE_DETECTION: Jackson reports a
 * duplicate before the caller sees the name, so its message cannot say whether a tensor, a metadata key or an entry
 * key was repeated.
 */
final class HeaderParser {
    static final String METADATA_KEY = "__metadata__";

    private final char[] chars;
    private final int charCount;
    private final SafetensorsLimits limits;
    /** The tokens; their context says where a parser error happened, for its message: a tensor or the metadata. */
    private final JsonTokens<InvalidCheckpointException> json;

    private HeaderParser(CharBuffer decoded, SafetensorsLimits limits) throws InvalidCheckpointException {
        this.chars = decoded.array();
        this.charCount = decoded.limit();
        this.limits = limits;
        int maxChars = limits.maxHeaderBytes();
        this.json = new JsonTokens<>(StrictJson.factory(maxChars, maxChars, maxChars), decoded, "header",
                InvalidCheckpointException::new, this::position);
    }

    static SafetensorsHeader parse(byte[] bytes, SafetensorsLimits limits) throws InvalidCheckpointException {
        if (bytes.length > limits.maxHeaderBytes()) {
            throw new InvalidCheckpointException("header length " + bytes.length + " exceeds the limit of "
                    + limits.maxHeaderBytes() + " bytes");
        }
        if (bytes.length < 2) {
            throw new InvalidCheckpointException("header length " + bytes.length
                    + " is too small (the smallest header, {}, is 2 bytes)");
        }
        CharBuffer decoded = decodeUtf8(bytes, "header");
        HeaderParser p = new HeaderParser(decoded, limits);
        try {
            return p.parseHeader(bytes);
        } finally {
            p.json.close();
        }
    }

    /**
     * Decodes strict UTF-8: malformed or overlong sequences and encoded surrogates are refused.
     *
     * @param what names the document in the message
     */
    static CharBuffer decodeUtf8(byte[] bytes, String what) throws InvalidCheckpointException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never decodes to more chars than bytes
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            throw new InvalidCheckpointException(what + " is not valid UTF-8 (at byte " + in.position() + ")");
        }
        out.flip();
        return out;
    }

    private SafetensorsHeader parseHeader(byte[] bytes) throws InvalidCheckpointException {
        if (chars[0] != '{') {
            JsonToken first = peekFirst();
            throw new InvalidCheckpointException("header must be a JSON object starting at its first byte, found "
                    + (first == null || Character.isWhitespace(chars[0])
                            ? describeChar(chars[0])
                            : json.describe(first)));
        }
        expect(JsonToken.START_OBJECT);
        Map<String, String> metadata = null;
        List<TensorEntry> entries = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        JsonToken t;
        while ((t = json.next()) == JsonToken.FIELD_NAME) {
            String key = json.text();
            if (!keys.add(key)) {
                throw new InvalidCheckpointException(METADATA_KEY.equals(key)
                        ? "header has two __metadata__ keys"
                        : "tensor " + Quoting.quote(key) + ": the name appears twice in the header");
            }
            if (METADATA_KEY.equals(key)) {
                metadata = parseMetadata();
            } else {
                if (entries.size() == limits.maxTensors()) {
                    throw new InvalidCheckpointException("header declares more tensors than the limit of "
                            + limits.maxTensors());
                }
                checkText(key, "tensor " + Quoting.quote(key), "the name");
                entries.add(parseEntry(key));
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new InvalidCheckpointException("header: expected a tensor name, found " + json.describe(t));
        }
        checkPadding();
        return layOut(bytes, metadata, entries);
    }

    private Map<String, String> parseMetadata() throws InvalidCheckpointException {
        json.context(METADATA_KEY);
        JsonToken t = json.next();
        if (t != JsonToken.START_OBJECT) {
            throw new InvalidCheckpointException("__metadata__ must be an object of strings, found "
                    + json.describe(t));
        }
        Map<String, String> map = new LinkedHashMap<>();
        while ((t = json.next()) == JsonToken.FIELD_NAME) {
            String key = json.text();
            checkText(key, "__metadata__", "key " + Quoting.quote(key));
            if (map.containsKey(key)) {
                throw new InvalidCheckpointException("__metadata__: the key " + Quoting.quote(key) + " appears twice");
            }
            t = json.next();
            if (t != JsonToken.VALUE_STRING) {
                throw new InvalidCheckpointException("__metadata__: the value of " + Quoting.quote(key)
                        + " must be a string, found " + json.describe(t));
            }
            String value = json.text();
            checkText(value, "__metadata__", "the value of " + Quoting.quote(key));
            map.put(key, value);
        }
        json.context("header");
        return map;
    }

    private TensorEntry parseEntry(String name) throws InvalidCheckpointException {
        String where = "tensor " + Quoting.quote(name);
        json.context(where);
        JsonToken t = json.next();
        if (t != JsonToken.START_OBJECT) {
            throw new InvalidCheckpointException(where + ": expected an object with dtype, shape and data_offsets, "
                    + "found " + json.describe(t));
        }
        DType dtype = null;
        long[] dims = null;
        long[] offsets = null;
        while ((t = json.next()) == JsonToken.FIELD_NAME) {
            String key = json.text();
            switch (key) {
                case "dtype":
                    requireFirst(dtype == null, where, key);
                    dtype = parseDType(where);
                    break;
                case "shape":
                    requireFirst(dims == null, where, key);
                    dims = parseLongs(where, "shape", Shape.MAX_DIMENSIONS);
                    break;
                case "data_offsets":
                    requireFirst(offsets == null, where, key);
                    offsets = parseLongs(where, "data_offsets", 2);
                    if (offsets.length != 2) {
                        throw new InvalidCheckpointException(where + ": data_offsets must be two integers "
                                + "[begin, end], found " + offsets.length);
                    }
                    break;
                default:
                    throw new InvalidCheckpointException(where + ": unknown key " + Quoting.quote(key)
                            + " (an entry holds only dtype, shape and data_offsets)");
            }
        }
        String missing = dtype == null ? "dtype" : dims == null ? "shape" : offsets == null ? "data_offsets" : null;
        if (missing != null) {
            throw new InvalidCheckpointException(where + ": missing " + missing);
        }
        json.context("header");
        return entry(name, where, dtype, dims, offsets[0], offsets[1]);
    }

    private static void requireFirst(boolean first, String where, String key) throws InvalidCheckpointException {
        if (!first) {
            throw new InvalidCheckpointException(where + ": the key " + key + " appears twice");
        }
    }

    private DType parseDType(String where) throws InvalidCheckpointException {
        JsonToken t = json.next();
        if (t != JsonToken.VALUE_STRING) {
            throw new InvalidCheckpointException(where + ": dtype must be a string, found " + json.describe(t));
        }
        String name = json.text();
        return DType.byFormatName(name).orElseThrow(() -> new InvalidCheckpointException(where
                + ": unknown dtype " + Quoting.quote(name)));
    }

    /** An array of at most {@code max} non-negative integers that fit a long. */
    private long[] parseLongs(String where, String key, int max) throws InvalidCheckpointException {
        String tooMany = max == 2
                ? " must be two integers [begin, end], found more"
                : " has more than " + max + " dimensions";
        return json.longArray(where + ": " + key, max, tooMany, t -> nonNegativeLong(where, key, t));
    }

    private long nonNegativeLong(String where, String key, JsonToken t) throws InvalidCheckpointException {
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            throw new InvalidCheckpointException(where + ": " + key + " holds " + Quoting.sanitize(json.text())
                    + ", not an integer");
        }
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw new InvalidCheckpointException(where + ": " + key + " must hold only integers, found "
                    + json.describe(t));
        }
        String digits = json.text();
        if (digits.startsWith("-")) {
            throw new InvalidCheckpointException(where + ": " + key + " holds the negative number " + digits);
        }
        return json.nonNegativeLong(where + ": " + key);
    }

    /** Checks sizes: element count, whole bytes, and that the offsets hold exactly the tensor. */
    private static TensorEntry entry(String name, String where, DType dtype, long[] dims, long begin, long end)
            throws InvalidCheckpointException {
        String shapeText = Arrays.toString(dims);
        if (end < begin) {
            throw new InvalidCheckpointException(where + ": data_offsets [" + begin + ", " + end
                    + "] end before they begin");
        }
        long elements = 1;
        for (long d : dims) {
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException e) {
                throw new InvalidCheckpointException(where + ": shape " + shapeText
                        + " has more elements than a 64-bit count holds");
            }
        }
        long bits;
        try {
            bits = Math.multiplyExact(elements, (long) dtype.bits());
        } catch (ArithmeticException e) {
            throw new InvalidCheckpointException(where + ": " + dtype.formatName() + " " + shapeText
                    + " is too large (" + elements + " elements overflow a 64-bit size in bits)");
        }
        if (bits % 8 != 0) {
            throw new InvalidCheckpointException(where + ": " + elements + " elements of " + dtype.formatName()
                    + " (" + dtype.bits() + " bits each) are not a whole number of bytes");
        }
        long size = dtype.sizeOf(elements);
        if (end - begin != size) {
            throw new InvalidCheckpointException(where + ": data_offsets [" + begin + ", " + end + "] hold "
                    + (end - begin) + " bytes but " + dtype.formatName() + " " + shapeText + " needs " + size);
        }
        Shape shape;
        try {
            shape = Shape.of(dims);
        } catch (IllegalArgumentException e) {
            throw new InvalidCheckpointException(where + ": " + Quoting.sanitize(e.getMessage()));
        }
        return new TensorEntry(name, dtype, shape, begin, end);
    }

    /** Sorts by offset, refuses overlaps, records the gaps and holds them to the limit. */
    private SafetensorsHeader layOut(byte[] bytes, Map<String, String> metadata, List<TensorEntry> entries)
            throws InvalidCheckpointException {
        List<TensorEntry> sorted = new ArrayList<>(entries);
        // Stable: zero-byte tensors at one offset keep header order.
        sorted.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        List<Gap> gaps = new ArrayList<>();
        long position = 0;
        long gapTotal = 0;
        TensorEntry previous = null;
        for (TensorEntry e : sorted) {
            if (e.begin() < position) {
                throw new InvalidCheckpointException("tensor " + Quoting.quote(e.name()) + ": data_offsets "
                        + e.offsetsText() + " overlap the previous tensor " + Quoting.quote(previous.name())
                        + " (ends at " + position + ")");
            }
            if (e.begin() > position) {
                long gap = e.begin() - position;
                if (gap > limits.maxGapBytes() - gapTotal) {
                    throw new InvalidCheckpointException("tensor " + Quoting.quote(e.name()) + ": data_offsets "
                            + e.offsetsText() + " leave " + gap + " bytes before it that no tensor covers; gaps may "
                            + "total at most " + limits.maxGapBytes() + " bytes"
                            + (gapTotal > 0 ? " and " + gapTotal + " are used before it" : ""));
                }
                gaps.add(new Gap(position, gap));
                gapTotal += gap;
            }
            position = e.end();
            previous = e;
        }
        return new SafetensorsHeader(bytes, limits, metadata, sorted, gaps);
    }

    /** After the object only spaces may follow: the padding writers add to reach a multiple of 8 bytes. */
    private void checkPadding() throws InvalidCheckpointException {
        long end = json.currentTokenLocation().getCharOffset() + 1;
        for (int i = (int) end; i < charCount; i++) {
            if (chars[i] != ' ') {
                throw new InvalidCheckpointException("header has " + describeChar(chars[i]) + " at byte "
                        + utf8Length(chars, i) + " after its JSON object ends (only spaces may pad it)");
            }
        }
    }

    private static String describeChar(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("the character U+%04X", (int) c);
    }

    /** Names and strings must encode back to the same UTF-8, which a lone surrogate from a \\u escape cannot. */
    private static void checkText(String s, String where, String what) throws InvalidCheckpointException {
        int i = Quoting.unpairedSurrogate(s);
        if (i >= 0) {
            throw new InvalidCheckpointException(where + ": " + what + " holds an unpaired surrogate escape (\\u"
                    + String.format("%04x", (int) s.charAt(i)) + ")");
        }
    }

    private JsonToken peekFirst() {
        try {
            return json.next();
        } catch (InvalidCheckpointException e) {
            return null;
        }
    }

    private void expect(JsonToken expected) throws InvalidCheckpointException {
        JsonToken t = json.next();
        if (t != expected) {
            throw new InvalidCheckpointException("header: expected " + json.describe(expected) + ", found "
                    + json.describe(t));
        }
    }

    /** A parser error's position in bytes of the header, as its other messages count. */
    private String position(JsonLocation reported, JsonLocation current) {
        JsonLocation where = reported != null ? reported : current; // constraint errors carry no location of their own
        if (where != null && where.getCharOffset() >= 0 && where.getCharOffset() <= charCount) {
            return " at byte " + utf8Length(chars, (int) where.getCharOffset());
        }
        return "";
    }

    /** The UTF-8 length of the first {@code end} chars (valid UTF-16, as decoded from valid UTF-8). */
    static long utf8Length(char[] chars, int end) {
        long n = 0;
        for (int i = 0; i < end; i++) {
            char c = chars[i];
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
