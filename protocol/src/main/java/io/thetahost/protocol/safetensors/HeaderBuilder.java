package io.thetahost.protocol.safetensors;

import io.thetahost.protocol.tensor.DType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Serializes a fresh header byte for byte as Python safetensors 0.8 does (its Rust core sorts the tensors, lays
 * them out contiguously and writes compact serde_json), so a checkpoint written here is the one Python would write.
 */
final class HeaderBuilder {
    /**
     * The reference implementation sorts by its dtype enum in descending order, which is this list; it is spelled
     * out rather than taken from {@link DType#ordinal()} so that reordering DType cannot change the files written.
     */
    private static final List<DType> WRITE_ORDER = List.of(
            DType.U64, DType.I64, DType.F64, DType.C64, DType.F32, DType.U32, DType.I32, DType.BF16, DType.F16,
            DType.U16, DType.I16, DType.F8_E5M2FNUZ, DType.F8_E4M3FNUZ, DType.F8_E8M0, DType.F8_E4M3,
            DType.F8_E5M2, DType.I8, DType.U8, DType.F6_E3M2, DType.F6_E2M3, DType.F4, DType.BOOL);

    private HeaderBuilder() {
    }

    static byte[] build(Map<String, String> metadata, List<TensorSpec> tensors) throws InvalidCheckpointException {
        List<Named> sorted = new ArrayList<>(tensors.size());
        Set<String> names = new HashSet<>();
        for (TensorSpec t : tensors) {
            String where = "tensor " + Quoting.quote(t.name());
            if (HeaderParser.METADATA_KEY.equals(t.name())) {
                throw new InvalidCheckpointException(where + ": the name is reserved for the metadata");
            }
            if (Quoting.unpairedSurrogate(t.name()) >= 0) {
                throw new InvalidCheckpointException(where + ": the name holds an unpaired surrogate");
            }
            if (!names.add(t.name())) {
                throw new InvalidCheckpointException(where + ": the name appears twice");
            }
            sorted.add(new Named(t, t.name().getBytes(StandardCharsets.UTF_8)));
        }
        // Rust compares strings by their UTF-8 bytes, which differs from String.compareTo beyond the BMP.
        sorted.sort(Comparator.<Named>comparingInt(n -> WRITE_ORDER.indexOf(n.spec.dtype()))
                .thenComparing((a, b) -> Arrays.compareUnsigned(a.utf8, b.utf8)));

        StringBuilder json = new StringBuilder(64 + 96 * tensors.size()).append('{');
        boolean first = true;
        if (metadata != null) {
            json.append("\"__metadata__\":{");
            boolean firstKey = true;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                checkText(e.getKey(), "key " + Quoting.quote(e.getKey()));
                checkText(e.getValue(), "the value of " + Quoting.quote(e.getKey()));
                json.append(firstKey ? "" : ",");
                appendString(json, e.getKey());
                json.append(':');
                appendString(json, e.getValue());
                firstKey = false;
            }
            json.append('}');
            first = false;
        }
        long offset = 0;
        for (Named n : sorted) {
            TensorSpec t = n.spec;
            long size;
            try {
                size = t.dtype().sizeOf(t.shape().elements());
            } catch (ArithmeticException e) {
                throw new InvalidCheckpointException("tensor " + Quoting.quote(t.name()) + ": "
                        + Quoting.sanitize(e.getMessage()));
            }
            long end;
            try {
                end = Math.addExact(offset, size);
            } catch (ArithmeticException e) {
                throw new InvalidCheckpointException("tensor " + Quoting.quote(t.name())
                        + ": the data area would be larger than 2^63 bytes");
            }
            json.append(first ? "" : ",");
            appendString(json, t.name());
            json.append(":{\"dtype\":\"").append(t.dtype().formatName()).append("\",\"shape\":[");
            long[] dims = t.shape().dims();
            for (int i = 0; i < dims.length; i++) {
                json.append(i == 0 ? "" : ",").append(dims[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
            first = false;
        }
        json.append('}');
        byte[] unpadded = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (unpadded.length + 7) & ~7;
        byte[] out = Arrays.copyOf(unpadded, padded);
        Arrays.fill(out, unpadded.length, padded, (byte) ' ');
        return out;
    }

    private static void checkText(String s, String what) throws InvalidCheckpointException {
        if (Quoting.unpairedSurrogate(s) >= 0) {
            throw new InvalidCheckpointException("__metadata__: " + what + " holds an unpaired surrogate");
        }
    }

    /** serde_json's escaping: quote, backslash and the short forms, other controls as lowercase \\u00xx. */
    private static void appendString(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    b.append("\\\"");
                    break;
                case '\\':
                    b.append("\\\\");
                    break;
                case '\b':
                    b.append("\\b");
                    break;
                case '\t':
                    b.append("\\t");
                    break;
                case '\n':
                    b.append("\\n");
                    break;
                case '\f':
                    b.append("\\f");
                    break;
                case '\r':
                    b.append("\\r");
                    break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        b.append('"');
    }

    private static final class Named {
        final TensorSpec spec;
        final byte[] utf8;

        Named(TensorSpec spec, byte[] utf8) {
            this.spec = spec;
            this.utf8 = utf8;
        }
    }
}
