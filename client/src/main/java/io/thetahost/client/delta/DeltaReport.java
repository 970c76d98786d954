package io.thetahost.client.delta;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.thetahost.codec.encode.Encoder;
import io.thetahost.protocol.safetensors.TensorEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What {@code theta delta} found, per tensor and in total, as a table or as JSON. */
final class DeltaReport {
    private static final double MB = 1e6;

    private record Row(TensorEntry entry, String encoding, long bytes, boolean verified, boolean hinted,
            List<Encoder.Candidate> candidates) {
    }

    private final long targetBytes;
    private final List<Row> rows = new ArrayList<>();
    private long encodeNanos;
    private long decodeNanos;
    private long encodedRawBytes;
    private Long zstdRaw;
    private Long zstdXor;

    DeltaReport(long targetBytes) {
        this.targetBytes = targetBytes;
    }

    void unchanged(TensorEntry entry) {
        rows.add(new Row(entry, "unchanged", 0, true, false, List.of()));
    }

    void encoded(TensorEntry entry, Encoder.Result result, boolean verified, long encode, long decode,
            boolean hinted) {
        rows.add(new Row(entry, result.kind().displayName(), result.encoding().size(), verified, hinted,
                result.candidates()));
        encodeNanos += encode;
        decodeNanos += decode;
        encodedRawBytes += entry.size();
    }

    /**
     * The last of several runs of the same comparison, with each of its times (encoding, decoding) replaced by the
     * median of that time over all of them.
     */
    static DeltaReport withMedianTimes(List<DeltaReport> runs) {
        DeltaReport last = runs.get(runs.size() - 1);
        last.encodeNanos = median(runs.stream().mapToLong(r -> r.encodeNanos).toArray());
        last.decodeNanos = median(runs.stream().mapToLong(r -> r.decodeNanos).toArray());
        return last;
    }

    private static long median(long[] values) {
        Arrays.sort(values);
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    void baselines(long zstd19Raw, long zstd19Xor) {
        this.zstdRaw = zstd19Raw;
        this.zstdXor = zstd19Xor;
    }

    boolean verified() {
        return rows.stream().allMatch(Row::verified);
    }

    long totalBytes() {
        return rows.stream().mapToLong(Row::bytes).sum();
    }

    private static double rate(long bytes, long nanos) {
        return nanos == 0 ? 0 : bytes / MB / (nanos / 1e9);
    }

    void printTable(PrintStream out) {
        int width = Math.max(6, rows.stream().mapToInt(r -> r.entry().name().length()).max().orElse(6));
        String format = "%-" + width + "s  %-5s  %-14s %12s  %-15s %12s%n";
        out.printf(format, "tensor", "dtype", "shape", "raw bytes", "encoding", "bytes");
        long unchanged = 0;
        for (Row r : rows) {
            if (r.encoding().equals("unchanged")) {
                unchanged++;
            }
            out.printf(format, r.entry().name(), r.entry().dtype().formatName(), r.entry().shape(), r.entry().size(),
                    r.encoding() + (r.hinted() && r.encoding().equals("low-rank") ? "*" : "")
                            + (r.verified() ? "" : " FAILED"), r.bytes());
        }
        out.println();
        long total = totalBytes();
        out.printf("%d tensors: %d encoded, %d unchanged (sent as their id)%s%n", rows.size(),
                rows.size() - unchanged, unchanged, rows.stream().anyMatch(Row::hinted)
                        ? "; * low-rank from the adapter's factors" : "");
        out.printf("target %d bytes, encodings %d bytes (%.4f of the target)%n", targetBytes, total,
                (double) total / targetBytes);
        if (zstdRaw != null) {
            out.printf("zstd -19 of the raw tensors %d bytes (encodings are %.4f of it); of their XOR with the base "
                    + "%d bytes (%.4f)%n", zstdRaw, (double) total / zstdRaw, zstdXor, (double) total / zstdXor);
        }
        out.printf("encode %.1f MB/s, decode %.1f MB/s (%d MB of changed tensors, one thread)%n",
                rate(encodedRawBytes, encodeNanos), rate(encodedRawBytes, decodeNanos), encodedRawBytes / 1_000_000);
        out.println(verified() ? "verified: every tensor decoded to its id" : "NOT VERIFIED: see FAILED above");
    }

    void printJson(OutputStream stream) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(stream)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeNumberField("target_bytes", targetBytes);
            g.writeNumberField("total_bytes", totalBytes());
            g.writeBooleanField("verified", verified());
            g.writeNumberField("encode_mb_per_s", rate(encodedRawBytes, encodeNanos));
            g.writeNumberField("decode_mb_per_s", rate(encodedRawBytes, decodeNanos));
            g.writeNumberField("encoded_raw_bytes", encodedRawBytes);
            if (zstdRaw != null) {
                g.writeNumberField("zstd19_raw_bytes", zstdRaw);
                g.writeNumberField("zstd19_xor_bytes", zstdXor);
            }
            g.writeArrayFieldStart("tensors");
            for (Row r : rows) {
                g.writeStartObject();
                g.writeStringField("name", r.entry().name());
                g.writeStringField("dtype", r.entry().dtype().formatName());
                g.writeArrayFieldStart("shape");
                for (long d : r.entry().shape().dims()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeNumberField("raw_bytes", r.entry().size());
                g.writeStringField("encoding", r.encoding());
                g.writeNumberField("bytes", r.bytes());
                g.writeBooleanField("verified", r.verified());
                g.writeBooleanField("from_adapter", r.hinted() && r.encoding().equals("low-rank"));
                g.writeObjectFieldStart("candidates");
                for (Encoder.Candidate c : r.candidates()) {
                    g.writeNumberField(c.kind().displayName(), c.bytes());
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        stream.write('\n');
        stream.flush();
    }
}
