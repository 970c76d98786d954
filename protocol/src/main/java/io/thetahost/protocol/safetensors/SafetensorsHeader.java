package io.thetahost.protocol.safetensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed and validated safetensors header: the bytes verbatim (padding included), the {@code __metadata__} map in
 * file order, the tensors sorted by data offset, and the gaps of the data area that no tensor covers.
 *
 * <p>Gaps: the reference implementation requires the tensors to tile the data area exactly. Here a region before the
 * first tensor, between two tensors or after the last is accepted as a gap as long as all gaps together stay within
 * {@link SafetensorsLimits#maxGapBytes()}; the gap bytes are recorded so the file can be rebuilt byte for byte. The
 * header alone shows the gaps up to the end of the last tensor ({@link #gaps()}); bytes after the last tensor are
 * only known once the data area's length is ({@link #checkDataArea(long)}).
 *
 * <p>Tensors whose offsets are equal (zero-byte tensors) keep the order the header lists them in, so the order is a
 * function of the header bytes alone.
 */
public final class SafetensorsHeader {
    private final byte[] bytes;
    private final SafetensorsLimits limits;
    private final Map<String, String> metadata;
    private final List<TensorEntry> tensors;
    private final Map<String, TensorEntry> byName;
    private final List<Gap> gaps;
    private final List<Record> regions;
    private final long gapBytes;
    private final long dataLength;

    SafetensorsHeader(byte[] bytes, SafetensorsLimits limits, Map<String, String> metadata,
            List<TensorEntry> tensors, List<Gap> gaps) {
        this.bytes = bytes;
        this.limits = limits;
        this.metadata = metadata == null ? null : Collections.unmodifiableMap(metadata);
        this.tensors = List.copyOf(tensors);
        this.gaps = List.copyOf(gaps);
        this.byName = new HashMap<>(tensors.size() * 2);
        for (TensorEntry e : tensors) {
            byName.put(e.name(), e);
        }
        long total = 0;
        for (Gap g : gaps) {
            total += g.length();
        }
        this.gapBytes = total;
        this.dataLength = tensors.isEmpty() ? 0 : tensors.get(tensors.size() - 1).end();
        this.regions = merge(this.tensors, this.gaps);
    }

    /**
     * Parses and validates a header: the N bytes that follow the 8-byte length in a safetensors file.
     *
     * @throws InvalidCheckpointException naming the tensor and the rule broken
     */
    public static SafetensorsHeader parse(byte[] headerBytes, SafetensorsLimits limits)
            throws InvalidCheckpointException {
        return HeaderParser.parse(headerBytes.clone(), limits);
    }

    /** Parses a buffer this package owns and will not change, without copying it. */
    static SafetensorsHeader parseOwned(byte[] headerBytes, SafetensorsLimits limits)
            throws InvalidCheckpointException {
        return HeaderParser.parse(headerBytes, limits);
    }

    /**
     * A fresh header laid out the way Python safetensors (0.8) writes one: tensors sorted by dtype (in the descending
     * order of the reference implementation's dtype list, so 8-byte types first) then by name (UTF-8 bytes), packed
     * from offset 0, compact JSON with {@code __metadata__} first, padded with spaces to a multiple of 8 bytes.
     *
     * @param metadata the {@code __metadata__} map, written in its iteration order; null to write no
     *     {@code __metadata__} key (an empty map writes {@code "__metadata__":{}})
     * @throws InvalidCheckpointException for a duplicate or reserved name, a name with an unpaired surrogate, a size
     *     that does not fit, or a header over the default limits
     */
    public static SafetensorsHeader build(Map<String, String> metadata, List<TensorSpec> tensors)
            throws InvalidCheckpointException {
        return HeaderParser.parse(HeaderBuilder.build(metadata, tensors), SafetensorsLimits.defaults());
    }

    /** The header bytes verbatim, padding included. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** How a file with this header starts: the 8-byte little-endian length N, then the N header bytes. */
    public byte[] fileStart() {
        byte[] start = new byte[8 + bytes.length];
        long n = bytes.length;
        for (int i = 0; i < 8; i++) {
            start[i] = (byte) (n >>> (8 * i));
        }
        System.arraycopy(bytes, 0, start, 8, bytes.length);
        return start;
    }

    /** The number of header bytes (the N of the 8-byte length field). */
    public int length() {
        return bytes.length;
    }

    public SafetensorsLimits limits() {
        return limits;
    }

    /** Whether the header has a {@code __metadata__} key (possibly an empty object). */
    public boolean hasMetadata() {
        return metadata != null;
    }

    /** The {@code __metadata__} entries in file order; empty when there is none. */
    public Map<String, String> metadata() {
        return metadata == null ? Map.of() : metadata;
    }

    /** The tensors in data-offset order (file order). */
    public List<TensorEntry> tensors() {
        return tensors;
    }

    public Optional<TensorEntry> tensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The gaps up to the end of the last tensor, in offset order. */
    public List<Gap> gaps() {
        return gaps;
    }

    /** The total size of {@link #gaps()}. */
    public long gapBytes() {
        return gapBytes;
    }

    /** The length of the data area the header accounts for: the end of the last tensor (0 for none). */
    public long dataLength() {
        return dataLength;
    }

    /** Tensors ({@link TensorEntry}) and gaps ({@link Gap}) in file order. */
    List<Record> regions() {
        return regions;
    }

    /**
     * Checks the header against the real length of the data area (file size less 8 less the header length).
     *
     * @return the bytes after the last tensor, as a gap, if there are any
     * @throws InvalidCheckpointException if a tensor ends beyond the data area, or the bytes after the last tensor
     *     would take the gaps over the limit
     */
    public Optional<Gap> checkDataArea(long dataAreaLength) throws InvalidCheckpointException {
        if (dataAreaLength < dataLength) {
            for (TensorEntry e : tensors) {
                if (e.end() > dataAreaLength) {
                    throw new InvalidCheckpointException("tensor " + Quoting.quote(e.name()) + ": data_offsets "
                            + e.offsetsText() + " end beyond the data area (" + dataAreaLength + " bytes)");
                }
            }
        }
        long trailing = dataAreaLength - dataLength;
        if (trailing == 0) {
            return Optional.empty();
        }
        if (trailing > limits.maxGapBytes() - gapBytes) {
            throw new InvalidCheckpointException(trailingRefusal(Long.toString(trailing)));
        }
        return Optional.of(new Gap(dataLength, trailing));
    }

    /** The bytes after the last tensor that the gap limit still allows. */
    long trailingAllowance() {
        return limits.maxGapBytes() - gapBytes;
    }

    String trailingRefusal(String count) {
        return "the data area has " + count + " bytes after the last tensor (ends at " + dataLength
                + ") that no tensor covers; gaps may total at most " + limits.maxGapBytes() + " bytes"
                + (gapBytes > 0 ? " and " + gapBytes + " are used before it" : "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetensorsHeader && Arrays.equals(((SafetensorsHeader) o).bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "SafetensorsHeader[" + bytes.length + " bytes, " + tensors.size() + " tensors, " + gaps.size()
                + " gaps]";
    }

    /** A gap always ends where a tensor begins; zero-byte tensors at the gap's start come before it. */
    private static List<Record> merge(List<TensorEntry> tensors, List<Gap> gaps) {
        List<Record> out = new ArrayList<>(tensors.size() + gaps.size());
        int g = 0;
        for (TensorEntry e : tensors) {
            while (g < gaps.size() && gaps.get(g).offset() < e.begin()) {
                out.add(gaps.get(g++));
            }
            out.add(e);
        }
        while (g < gaps.size()) {
            out.add(gaps.get(g++));
        }
        return List.copyOf(out);
    }
}
