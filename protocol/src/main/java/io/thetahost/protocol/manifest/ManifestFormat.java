package io.thetahost.protocol.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import io.thetahost.protocol.json.JsonTokens;
import io.thetahost.protocol.json.StrictJson;
import io.thetahost.protocol.safetensors.GapBytes;
import io.thetahost.protocol.safetensors.InvalidCheckpointException;
import io.thetahost.protocol.safetensors.Quoting;
import io.thetahost.protocol.safetensors.SafetensorsHeader;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.safetensors.TensorEntry;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The canonical JSON form of a {@link Manifest}: fixed key order, one tensor (and one gap) per line so that git diffs
 * show which tensors changed, and fixed string escaping, so one checkpoint always gives the same bytes.
 * {@link #read} accepts only that form: it re-writes what it parsed and refuses anything that differs.
 * {@code protocol/MANIFEST.md} specifies the format.
 */
public final class ManifestFormat {
    static final String VERSION_KEY = "thetahost_manifest";
    private static final List<String> TOP_KEYS = List.of(VERSION_KEY, "format", "header", "tensors", "gaps");
    private static final List<String> TENSOR_KEYS = List.of("name", "dtype", "shape", "id");
    private static final List<String> GAP_KEYS = List.of("offset", "bytes");
    private static final List<String> MERGE_KEYS = List.of("name", "strategy", "ours", "theirs", "weight");
    private static final Set<String> KNOWN_KEYS = Set.of(VERSION_KEY, "format", "header", "tensors", "gaps", "name",
            "dtype", "shape", "id", "offset", "bytes", "merges", "strategy", "ours", "theirs", "weight");
    private static final int MAX_KEY_LENGTH = 64;

    private ManifestFormat() {
    }

    /** The canonical bytes of a manifest (UTF-8, ending in a newline). */
    public static byte[] write(Manifest manifest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(manifest.header().bytes().length
                + 160 * manifest.tensors().size() + 256);
        write(manifest, chunk -> out.writeBytes(chunk.getBytes(StandardCharsets.UTF_8)));
        return out.toByteArray();
    }

    /**
     * Writes the canonical form as a series of text chunks, each at most about {@link CanonicalText#CHUNK} chars and
     * never splitting a surrogate pair, so a caller can encode or compare it without holding all of it.
     */
    private static void write(Manifest manifest, Consumer<String> chunks) {
        CanonicalText b = new CanonicalText(chunks);
        b.append("{\n");
        b.append("  \"").append(VERSION_KEY).append("\": ").append(Manifest.VERSION).append(",\n");
        b.append("  \"format\": ");
        b.string(manifest.format());
        b.append(",\n  \"header\": ");
        b.string(new String(manifest.header().bytes(), StandardCharsets.UTF_8)); // valid UTF-8, checked on parse
        b.append(",\n  \"tensors\": [");
        List<ManifestTensor> tensors = manifest.tensors();
        for (int i = 0; i < tensors.size(); i++) {
            ManifestTensor t = tensors.get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    {\"name\": ");
            b.string(t.name());
            b.append(", \"dtype\": \"").append(t.dtype().formatName()).append("\", \"shape\": [");
            for (int d = 0; d < t.shape().rank(); d++) {
                b.append(d == 0 ? "" : ", ").append(t.shape().dim(d));
            }
            b.append("], \"id\": \"").append(t.id().toString()).append("\"}");
        }
        b.append(tensors.isEmpty() ? "]" : "\n  ]").append(",\n  \"gaps\": [");
        List<GapBytes> gaps = manifest.gaps();
        for (int i = 0; i < gaps.size(); i++) {
            GapBytes g = gaps.get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    {\"offset\": ").append(g.offset()).append(", \"bytes\": \"")
                    .append(Base64.getEncoder().encodeToString(g.bytes())).append("\"}");
        }
        b.append(gaps.isEmpty() ? "]" : "\n  ]");
        List<DeclaredMerge> merges = manifest.merges();
        if (!merges.isEmpty()) {
            b.append(",\n  \"merges\": [");
            for (int i = 0; i < merges.size(); i++) {
                DeclaredMerge m = merges.get(i);
                b.append(i == 0 ? "\n" : ",\n").append("    {\"name\": ");
                b.string(m.name());
                b.append(", \"strategy\": \"").append(m.strategy().toString()).append("\", \"ours\": \"")
                        .append(m.ours().toString()).append("\", \"theirs\": \"").append(m.theirs().toString())
                        .append("\", \"weight\": ").append(Float.toString(m.weight())).append("}");
            }
            b.append("\n  ]");
        }
        b.append("\n}\n");
        b.flush();
    }

    /** The canonical text in chunks: where writing or checking a manifest keeps its memory to one chunk. */
    private static final class CanonicalText {
        static final int CHUNK = 1 << 16;
        private final StringBuilder b = new StringBuilder(CHUNK + 256);
        private final Consumer<String> chunks;

        CanonicalText(Consumer<String> chunks) {
            this.chunks = chunks;
        }

        CanonicalText append(String s) {
            b.append(s);
            flushIfFull();
            return this;
        }

        CanonicalText append(long v) {
            b.append(v);
            return this;
        }

        /** Quote, backslash and control characters escaped (controls as lowercase \\u00xx); everything else as is. */
        void string(String s) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    b.append('\\').append(c);
                } else if (c < 0x20) {
                    b.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
                } else {
                    b.append(c);
                    if (Character.isHighSurrogate(c)) {
                        continue; // never end a chunk between the two halves of a pair
                    }
                }
                flushIfFull();
            }
            b.append('"');
        }

        private void flushIfFull() {
            if (b.length() >= CHUNK) {
                flush();
            }
        }

        void flush() {
            if (b.length() > 0) {
                chunks.accept(b.toString());
                b.setLength(0);
            }
        }
    }

    /** Compares the canonical writing with the bytes read, a chunk at a time: the first byte where they differ. */
    private static final class CanonicalComparison implements Consumer<String> {
        private final byte[] read;
        private int position;
        private int mismatch = -1;

        CanonicalComparison(byte[] read) {
            this.read = read;
        }

        @Override
        public void accept(String chunk) {
            if (mismatch >= 0) {
                return;
            }
            byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
            int end = Math.min(read.length, position + bytes.length);
            int at = Arrays.mismatch(bytes, 0, bytes.length, read, position, end);
            if (at >= 0) {
                mismatch = position + at;
            }
            position += bytes.length;
        }

        /** The first byte that differs, or -1 if the bytes read are exactly the canonical writing. */
        int mismatch() {
            if (mismatch < 0 && position != read.length) {
                return Math.min(position, read.length);
            }
            return mismatch;
        }
    }

    /** Reads a manifest under the default limits. */
    public static Manifest read(byte[] bytes) throws InvalidManifestException {
        return read(bytes, SafetensorsLimits.defaults());
    }

    /**
     * Reads a manifest: strict JSON, the known version, the embedded header valid under {@code limits}, the tensor
     * list equal to what the header declares, and the bytes in canonical form.
     *
     * @throws InvalidManifestException saying what is wrong, and for which tensor
     */
    public static Manifest read(byte[] bytes, SafetensorsLimits limits) throws InvalidManifestException {
        long max = maxManifestBytes(limits);
        if (bytes.length > max) {
            throw new InvalidManifestException("manifest is " + bytes.length + " bytes, over the limit of " + max
                    + " for these checkpoint limits");
        }
        Manifest manifest = new Reader(decode(bytes), limits, (int) max).manifest();
        CanonicalComparison canonical = new CanonicalComparison(bytes);
        write(manifest, canonical);
        int at = canonical.mismatch();
        if (at >= 0) {
            throw new InvalidManifestException("manifest is not in canonical form (it differs from the canonical "
                    + "writing at byte " + at + ")");
        }
        return manifest;
    }

    /**
     * The largest manifest a checkpoint within {@code limits} can give: its header escaped (each byte at most 6),
     * the tensor names again (at most 3 bytes per header byte), a line of fixed parts per tensor and gap, and the gaps
     * in base64. A caller can refuse a larger blob before loading it.
     */
    public static long maxManifestBytes(SafetensorsLimits limits) {
        long max = 9L * limits.maxHeaderBytes() + 256L * limits.maxTensors() + 2L * limits.maxGapBytes() + 4096;
        return Math.min(max, Integer.MAX_VALUE - 16);
    }

    private static CharBuffer decode(byte[] bytes) throws InvalidManifestException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(in);
        } catch (CharacterCodingException e) {
            throw new InvalidManifestException("manifest is not valid UTF-8 (at byte " + in.position() + ")");
        }
    }

    /** One pass over the tokens, in the canonical key order; anything else is refused where it is met. */
    private static final class Reader {
        private final SafetensorsLimits limits;
        /** The tokens; their context says what is being read, for messages: a tensor, a gap, or the manifest. */
        private final JsonTokens<InvalidManifestException> json;

        Reader(CharBuffer chars, SafetensorsLimits limits, int maxChars) throws InvalidManifestException {
            this.limits = limits;
            int maxString = (int) Math.max(limits.maxHeaderBytes(), 4L * ((limits.maxGapBytes() + 2) / 3));
            json = new JsonTokens<>(StrictJson.factory(maxString, MAX_KEY_LENGTH, maxChars), chars, "manifest",
                    InvalidManifestException::new, Reader::position);
        }

        Manifest manifest() throws InvalidManifestException {
            JsonToken t = json.next();
            if (t != JsonToken.START_OBJECT) {
                throw new InvalidManifestException("manifest must be a JSON object, found " + json.describe(t));
            }
            t = json.next();
            if (t != JsonToken.FIELD_NAME || !VERSION_KEY.equals(json.text())) {
                throw new InvalidManifestException("not a Thetahost manifest: its first key must be \"" + VERSION_KEY
                        + "\"");
            }
            t = json.next();
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw new InvalidManifestException("manifest version must be an integer, found " + json.describe(t));
            }
            if (!Integer.toString(Manifest.VERSION).equals(json.text())) {
                throw new InvalidManifestException("manifest version " + Quoting.sanitize(json.text())
                        + " is not supported (this build reads version " + Manifest.VERSION + ")");
            }
            key(TOP_KEYS, 1);
            String format = string("format");
            if (!Manifest.FORMAT_SAFETENSORS.equals(format)) {
                throw new InvalidManifestException("manifest format " + Quoting.quote(format)
                        + " is not supported (only " + Manifest.FORMAT_SAFETENSORS + ")");
            }
            key(TOP_KEYS, 2);
            String headerText = string("header");
            if (Quoting.unpairedSurrogate(headerText) >= 0) {
                throw new InvalidManifestException("manifest header holds an unpaired surrogate escape");
            }
            SafetensorsHeader header;
            try {
                header = SafetensorsHeader.parse(headerText.getBytes(StandardCharsets.UTF_8), limits);
            } catch (InvalidCheckpointException e) {
                throw new InvalidManifestException("manifest header: " + e.getMessage(), e);
            }
            key(TOP_KEYS, 3);
            List<TensorId> ids = tensors(header);
            key(TOP_KEYS, 4);
            List<GapBytes> gaps = gaps(header);
            t = json.next();
            List<DeclaredMerge> merges = List.of();
            if (t == JsonToken.FIELD_NAME && json.text().equals("merges")) {
                merges = merges();
                t = json.next();
            }
            if (t != JsonToken.END_OBJECT) {
                throw new InvalidManifestException(t == JsonToken.FIELD_NAME ? unexpectedKey("manifest", null)
                        : "manifest: expected the end of the object, found " + json.describe(t));
            }
            String problem = Manifest.inconsistency(header, ids.size(), gaps);
            if (problem != null) {
                throw new InvalidManifestException(problem);
            }
            Manifest manifest = Manifest.build(header, ids, gaps);
            if (merges.isEmpty()) {
                return manifest;
            }
            problem = manifest.mergeInconsistency(merges);
            if (problem != null) {
                throw new InvalidManifestException(problem);
            }
            return manifest.withMerges(merges);
        }

        private List<TensorId> tensors(SafetensorsHeader header) throws InvalidManifestException {
            List<TensorEntry> declared = header.tensors();
            expectStart(JsonToken.START_ARRAY, "tensors", "an array");
            List<TensorId> ids = new ArrayList<>(declared.size());
            JsonToken t;
            while ((t = json.next()) != JsonToken.END_ARRAY) {
                int i = ids.size();
                if (i == declared.size()) {
                    throw new InvalidManifestException("the manifest lists more tensors than its header declares ("
                            + declared.size() + ")");
                }
                if (t != JsonToken.START_OBJECT) {
                    throw new InvalidManifestException("tensors: entry " + i + " must be an object, found "
                            + json.describe(t));
                }
                TensorEntry e = declared.get(i);
                json.context("tensor " + i);
                key(TENSOR_KEYS, 0);
                String name = string("name");
                if (!name.equals(e.name())) {
                    throw new InvalidManifestException("tensor " + i + ": the manifest lists " + Quoting.quote(name)
                            + " where the header has " + Quoting.quote(e.name()));
                }
                String where = "tensor " + Quoting.quote(name);
                json.context(where);
                key(TENSOR_KEYS, 1);
                String dtype = string("dtype");
                if (!dtype.equals(e.dtype().formatName())) {
                    throw new InvalidManifestException(where + ": the manifest says dtype " + Quoting.quote(dtype)
                            + ", the header says " + e.dtype().formatName());
                }
                key(TENSOR_KEYS, 2);
                long[] dims = longs("shape", Shape.MAX_DIMENSIONS);
                if (!Arrays.equals(dims, e.shape().dims())) {
                    throw new InvalidManifestException(where + ": the manifest says shape " + Arrays.toString(dims)
                            + ", the header says " + e.shape());
                }
                key(TENSOR_KEYS, 3);
                String idText = string("id");
                try {
                    ids.add(TensorId.parse(idText));
                } catch (IllegalArgumentException ex) {
                    throw new InvalidManifestException(where + ": " + Quoting.sanitize(ex.getMessage()));
                }
                endObject();
                json.context("manifest");
            }
            if (ids.size() < declared.size()) {
                throw new InvalidManifestException("the manifest lists " + ids.size() + " of the " + declared.size()
                        + " tensors its header declares");
            }
            return ids;
        }

        private List<GapBytes> gaps(SafetensorsHeader header) throws InvalidManifestException {
            expectStart(JsonToken.START_ARRAY, "gaps", "an array");
            List<GapBytes> gaps = new ArrayList<>();
            JsonToken t;
            while ((t = json.next()) != JsonToken.END_ARRAY) {
                int i = gaps.size();
                if (i > header.gaps().size()) {
                    throw new InvalidManifestException("the manifest has more gaps than its header leaves ("
                            + header.gaps().size() + ", and at most one after the last tensor)");
                }
                if (t != JsonToken.START_OBJECT) {
                    throw new InvalidManifestException("gaps: entry " + i + " must be an object, found "
                            + json.describe(t));
                }
                json.context("gap " + i);
                key(GAP_KEYS, 0);
                long offset = longs("offset", 0)[0];
                key(GAP_KEYS, 1);
                String base64 = string("bytes");
                byte[] bytes;
                try {
                    bytes = Base64.getDecoder().decode(base64);
                } catch (IllegalArgumentException ex) {
                    throw new InvalidManifestException("gap " + i + " at data offset " + offset
                            + ": bytes are not base64 (" + Quoting.sanitize(ex.getMessage()) + ")");
                }
                if (bytes.length == 0) {
                    throw new InvalidManifestException("gap " + i + " at data offset " + offset + " is empty");
                }
                endObject();
                gaps.add(new GapBytes(offset, bytes));
                json.context("manifest");
            }
            return gaps;
        }

        private List<DeclaredMerge> merges() throws InvalidManifestException {
            expectStart(JsonToken.START_ARRAY, "merges", "an array");
            List<DeclaredMerge> merges = new ArrayList<>();
            JsonToken t;
            while ((t = json.next()) != JsonToken.END_ARRAY) {
                int i = merges.size();
                if (t != JsonToken.START_OBJECT) {
                    throw new InvalidManifestException("merges: entry " + i + " must be an object, found "
                            + json.describe(t));
                }
                json.context("merge " + i);
                key(MERGE_KEYS, 0);
                String name = string("name");
                key(MERGE_KEYS, 1);
                String strategy = string("strategy");
                key(MERGE_KEYS, 2);
                TensorId ours = id(string("ours"));
                key(MERGE_KEYS, 3);
                TensorId theirs = id(string("theirs"));
                key(MERGE_KEYS, 4);
                t = json.next();
                if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
                    throw new InvalidManifestException(json.context() + ": weight must be a number, found "
                            + json.describe(t));
                }
                float weight;
                try {
                    weight = Float.parseFloat(json.text());
                } catch (NumberFormatException e) {
                    throw new InvalidManifestException(json.context() + ": weight " + Quoting.sanitize(json.text())
                            + " is not a number");
                }
                String problem = DeclaredMerge.problem(strategy, weight);
                if (problem != null) {
                    throw new InvalidManifestException(json.context() + ": " + Quoting.sanitize(problem));
                }
                endObject();
                merges.add(new DeclaredMerge(name, strategy, ours, theirs, weight));
                json.context("manifest");
            }
            if (merges.isEmpty()) {
                throw new InvalidManifestException("manifest is not in canonical form: an empty merges list is left "
                        + "out");
            }
            return merges;
        }

        private TensorId id(String text) throws InvalidManifestException {
            try {
                return TensorId.parse(text);
            } catch (IllegalArgumentException ex) {
                throw new InvalidManifestException(json.context() + ": " + Quoting.sanitize(ex.getMessage()));
            }
        }

        /** The next token is the key {@code keys.get(index)}. */
        private void key(List<String> keys, int index) throws InvalidManifestException {
            JsonToken t = json.next();
            if (t != JsonToken.FIELD_NAME) {
                throw new InvalidManifestException(json.context() + ": missing key \"" + keys.get(index) + "\"");
            }
            String found = json.text();
            if (!found.equals(keys.get(index))) {
                throw new InvalidManifestException(unexpectedKey(json.context(), keys.get(index)));
            }
        }

        private String unexpectedKey(String where, String expected) throws InvalidManifestException {
            String found = json.text();
            if (!KNOWN_KEYS.contains(found)) {
                return where + ": unknown key " + Quoting.quote(found);
            }
            return "manifest is not in canonical form: " + where + " has the key " + Quoting.quote(found)
                    + (expected == null ? " again" : " where \"" + expected + "\" belongs");
        }

        private void endObject() throws InvalidManifestException {
            JsonToken t = json.next();
            if (t == JsonToken.FIELD_NAME) {
                throw new InvalidManifestException(unexpectedKey(json.context(), null));
            }
            if (t != JsonToken.END_OBJECT) {
                throw new InvalidManifestException(json.context() + ": expected the end of the object, found "
                        + json.describe(t));
            }
        }

        private String string(String key) throws InvalidManifestException {
            JsonToken t = json.next();
            if (t != JsonToken.VALUE_STRING) {
                throw new InvalidManifestException(json.context() + ": " + key + " must be a string, found "
                        + json.describe(t));
            }
            return json.text();
        }

        /** Non-negative longs: an array of at most {@code max}, or when {@code max} is 0 a single number. */
        private long[] longs(String key, int max) throws InvalidManifestException {
            if (max == 0) {
                return new long[] {nonNegative(key, json.next())};
            }
            return json.longArray(json.context() + ": " + key, max, " has more than " + max + " entries",
                    t -> nonNegative(key, t));
        }

        private long nonNegative(String key, JsonToken t) throws InvalidManifestException {
            if (t != JsonToken.VALUE_NUMBER_INT || json.text().startsWith("-")) {
                throw new InvalidManifestException(json.context() + ": " + key
                        + " must hold non-negative integers, found "
                        + (t == JsonToken.VALUE_NUMBER_INT ? json.text() : json.describe(t)));
            }
            return json.nonNegativeLong(json.context() + ": " + key);
        }

        private void expectStart(JsonToken expected, String key, String what) throws InvalidManifestException {
            JsonToken t = json.next();
            if (t != expected) {
                throw new InvalidManifestException(json.context() + ": " + key + " must be " + what + ", found "
                        + json.describe(t));
            }
        }

        /** A parser error's position: manifests count in characters, and only where Jackson gives one. */
        private static String position(JsonLocation reported, JsonLocation current) {
            return reported != null && reported.getCharOffset() >= 0 ? " at character " + reported.getCharOffset() : "";
        }
    }
}
