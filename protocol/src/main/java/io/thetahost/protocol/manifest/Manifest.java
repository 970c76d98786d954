package io.thetahost.protocol.manifest;

import io.thetahost.protocol.safetensors.Gap;
import io.thetahost.protocol.safetensors.GapBytes;
import io.thetahost.protocol.safetensors.InvalidCheckpointException;
import io.thetahost.protocol.safetensors.SafetensorsHeader;
import io.thetahost.protocol.safetensors.TensorEntry;
import io.thetahost.protocol.safetensors.TensorSpec;
import io.thetahost.protocol.tensor.TensorId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What git stores instead of a checkpoint: the header bytes verbatim, the id of every tensor in file order, and the
 * bytes of the gaps no tensor covers. With the tensors' bytes (found by id) it rebuilds the file byte for byte.
 * {@link ManifestFormat} writes and reads its canonical JSON form; {@code protocol/MANIFEST.md} specifies it.
 *
 * <p>A manifest is always consistent: one id per header tensor, and gaps exactly where the header leaves them plus at
 * most one after the last tensor, within the header's gap limit.
 */
public final class Manifest {
    /** The manifest format version this build writes and reads. */
    public static final int VERSION = 1;
    /** The checkpoint format of every version-1 manifest. */
    public static final String FORMAT_SAFETENSORS = "safetensors";

    private final SafetensorsHeader header;
    private final List<ManifestTensor> tensors;
    private final List<GapBytes> gaps;
    private final List<DeclaredMerge> merges;

    private Manifest(SafetensorsHeader header, List<ManifestTensor> tensors, List<GapBytes> gaps,
            List<DeclaredMerge> merges) {
        this.header = header;
        this.tensors = tensors;
        this.gaps = gaps;
        this.merges = merges;
    }

    /**
     * A manifest for a checkpoint with this header.
     *
     * @param ids the id of each tensor, in the order of {@code header.tensors()}
     * @param gaps the bytes of each of {@code header.gaps()}, in order, then optionally of the region after the last
     *     tensor
     * @throws IllegalArgumentException if the ids or gaps do not fit the header
     */
    public static Manifest of(SafetensorsHeader header, List<TensorId> ids, List<GapBytes> gaps) {
        String problem = inconsistency(header, ids.size(), gaps);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return build(header, ids, gaps);
    }

    /** Builds a manifest already checked with {@link #inconsistency}. */
    static Manifest build(SafetensorsHeader header, List<TensorId> ids, List<GapBytes> gaps) {
        List<ManifestTensor> tensors = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            TensorEntry e = header.tensors().get(i);
            tensors.add(new ManifestTensor(e.name(), e.dtype(), e.shape(), Objects.requireNonNull(ids.get(i))));
        }
        return new Manifest(header, List.copyOf(tensors), List.copyOf(gaps), List.of());
    }

    /**
     * This manifest with the merges a merge commit declares for it.
     *
     * @throws IllegalArgumentException for a merge of a parameter the manifest does not have, or twice, or one whose
     *     tensor is not the side it says it took
     */
    public Manifest withMerges(List<DeclaredMerge> declared) {
        String problem = mergeInconsistency(declared);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new Manifest(header, tensors, gaps, List.copyOf(declared));
    }

    String mergeInconsistency(List<DeclaredMerge> declared) {
        java.util.Map<String, TensorId> ids = new java.util.HashMap<>();
        tensors.forEach(t -> ids.put(t.name(), t.id()));
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (DeclaredMerge m : declared) {
            TensorId id = ids.get(m.name());
            if (id == null) {
                return "a merge is declared for " + m.name() + ", which the checkpoint does not have";
            }
            if (!seen.add(m.name())) {
                return "two merges are declared for " + m.name();
            }
            TensorId taken = m.strategy().equals("ours") ? m.ours() : m.strategy().equals("theirs") ? m.theirs() : id;
            if (!taken.equals(id)) {
                return "the merge of " + m.name() + " says it took " + m.strategy() + ", whose tensor is " + taken
                        + ", but the checkpoint has " + id;
            }
        }
        return null;
    }

    /** The merges declared for this checkpoint, if it is a merge commit's; empty otherwise. */
    public List<DeclaredMerge> merges() {
        return merges;
    }

    /** What makes these ids and gaps unfit for the header, or null when they fit. */
    static String inconsistency(SafetensorsHeader header, int idCount, List<GapBytes> gaps) {
        if (idCount != header.tensors().size()) {
            return "the manifest lists " + idCount + " of the " + header.tensors().size()
                    + " tensors its header declares";
        }
        List<Gap> expected = header.gaps();
        if (gaps.size() > expected.size() + 1) {
            return "the manifest has " + gaps.size() + " gaps, its header leaves " + expected.size()
                    + " (and at most one after the last tensor)";
        }
        for (int i = 0; i < gaps.size(); i++) {
            Gap g = gaps.get(i).region();
            if (i < expected.size()) {
                if (!g.equals(expected.get(i))) {
                    return "gap " + i + " covers " + g.length() + " bytes at data offset " + g.offset()
                            + ", its header leaves " + expected.get(i).length() + " bytes at "
                            + expected.get(i).offset();
                }
            } else if (g.offset() != header.dataLength()) {
                return "the last gap starts at data offset " + g.offset() + ", not where the last tensor ends ("
                        + header.dataLength() + ")";
            } else if (g.length() > header.limits().maxGapBytes() - header.gapBytes()) {
                return "gaps total " + (header.gapBytes() + g.length()) + " bytes, over the limit of "
                        + header.limits().maxGapBytes();
            }
        }
        if (gaps.size() < expected.size()) {
            Gap g = expected.get(gaps.size());
            return "the manifest lacks the gap of " + g.length() + " bytes at data offset " + g.offset();
        }
        return null;
    }

    /** Always {@link #VERSION}. */
    public int version() {
        return VERSION;
    }

    /** Always {@link #FORMAT_SAFETENSORS}. */
    public String format() {
        return FORMAT_SAFETENSORS;
    }

    public SafetensorsHeader header() {
        return header;
    }

    /** The header bytes verbatim, padding included. */
    public byte[] headerBytes() {
        return header.bytes();
    }

    /** The tensors in file order. */
    public List<ManifestTensor> tensors() {
        return tensors;
    }

    /** The gaps in file order, the one after the last tensor (if any) last. */
    public List<GapBytes> gaps() {
        return gaps;
    }

    /**
     * The manifest of a checkpoint holding only the parameters {@code wanted} accepts, its header written as Python's
     * safetensors writes a fresh file (metadata kept, tensors sorted and laid out contiguously, no gaps): what
     * {@code theta checkout --include} writes and what the server's {@code ?include=} serves. Empty when no parameter
     * is wanted.
     */
    public Optional<Manifest> subset(Predicate<String> wanted) {
        List<TensorSpec> specs = new ArrayList<>();
        Map<String, TensorId> ids = new HashMap<>();
        for (ManifestTensor t : tensors) {
            if (wanted.test(t.name())) {
                specs.add(new TensorSpec(t.name(), t.dtype(), t.shape()));
                ids.put(t.name(), t.id());
            }
        }
        if (specs.isEmpty()) {
            return Optional.empty();
        }
        SafetensorsHeader written;
        try {
            written = SafetensorsHeader.build(header.hasMetadata() ? header.metadata() : null, specs);
        } catch (InvalidCheckpointException e) {
            // The names, dtypes and shapes come from a header that parsed: they build again.
            throw new IllegalStateException("a subset of a valid header does not build: " + e.getMessage(), e);
        }
        List<TensorId> ordered = new ArrayList<>(specs.size());
        for (TensorEntry e : written.tensors()) {
            ordered.add(ids.get(e.name()));
        }
        return Optional.of(build(written, ordered, List.of()));
    }

    /** The size of the checkpoint file the manifest rebuilds. */
    public long fileSize() {
        long trailing = gaps.size() > header.gaps().size() ? gaps.get(gaps.size() - 1).length() : 0;
        return 8 + header.length() + header.dataLength() + trailing;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Manifest)) {
            return false;
        }
        Manifest m = (Manifest) o;
        return m.header.equals(header) && m.tensors.equals(tensors) && m.gaps.equals(gaps) && m.merges.equals(merges);
    }

    @Override
    public int hashCode() {
        return Objects.hash(header, tensors, gaps, merges);
    }

    @Override
    public String toString() {
        return "Manifest[" + tensors.size() + " tensors, " + gaps.size() + " gaps, " + fileSize() + " bytes]";
    }
}
