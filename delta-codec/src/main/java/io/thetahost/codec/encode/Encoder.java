package io.thetahost.codec.encode;

import io.thetahost.codec.encodings.LowRankEncoding;
import io.thetahost.codec.encodings.SparseEncoding;
import io.thetahost.codec.encodings.SparseTernaryEncoding;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.codec.numeric.Elements;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the smallest encoding of a tensor within the time budget: dense always (the fallback), and against a base
 * of the same dtype and shape xor always, sparse when few elements changed, sparse-ternary when one magnitude could
 * explain the changes, and low-rank from a hint (a LoRA adapter's factors) or from detection. Each candidate is priced
 * on a sample of rows ({@link CandidateSize}) and only the cheapest is encoded in full; when the runner-up's estimate
 * is within {@link #TIE_MARGIN} of it, both are, and the smaller kept. Cheap candidates come first; the expensive ones
 * are skipped once the budget is spent.
 */
public final class Encoder {
    /** Above this fraction of changed elements, listing them costs more than xor. */
    static final double SPARSE_MAX_FRACTION = 0.5;
    /** Estimates closer than this (relative) are too close to call from a sample: both candidates are encoded. */
    static final double TIE_MARGIN = 0.05;
    /** Blocks of rows a size estimate encodes, spread over the tensor. */
    static final int ESTIMATE_BLOCKS = 8;
    /** The sample's share of the tensor, between {@link #ESTIMATE_MIN_BYTES} and {@link #ESTIMATE_MAX_BYTES}. */
    static final int ESTIMATE_SHARE = 16;
    static final long ESTIMATE_MIN_BYTES = 16 * 1024;
    static final long ESTIMATE_MAX_BYTES = 512 * 1024;

    private final EncoderOptions options;
    private final LowRankDetector detector;
    private final KindEncoders kinds;

    public Encoder(EncoderOptions options, LowRankDetector detector) {
        this.options = options;
        this.detector = detector;
        this.kinds = new KindEncoders(options);
    }

    /**
     * One candidate tried, and what it cost.
     *
     * @param bytes its size: encoded in full when {@code estimated} is false, else estimated from a sample
     */
    public record Candidate(EncodingKind kind, long bytes, long nanos, boolean estimated) {
    }

    /** The chosen encoding (the caller closes it) and every candidate tried. */
    public record Result(EncodingKind kind, SpillBuffer encoding, List<Candidate> candidates) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            encoding.close();
        }
    }

    /** A base the target may be encoded against. */
    public record Base(TensorInput tensor, TensorId id) {
    }

    /**
     * @param base empty to encode self-contained
     * @param hint factors known for this tensor (from a LoRA adapter), tried as the low-rank candidate
     */
    public Result encode(TensorInput given, TensorId targetId, Optional<Base> base, Optional<LowRankFactors> hint)
            throws IOException {
        long start = System.nanoTime();
        Optional<Base> usable = base.filter(b -> b.tensor().dtype() == given.dtype()
                && b.tensor().shape().equals(given.shape()));
        TensorInput target = given;
        if (usable.isPresent()) {
            // Read more than once from here on (sample, gate, detector, full encode): held when one chunk holds it.
            target = TensorInput.held(given, options.chunkBytes());
            usable = Optional.of(new Base(TensorInput.held(usable.get().tensor(), options.chunkBytes()),
                    usable.get().id()));
        }
        TensorInput b = usable.map(Base::tensor).orElse(null);
        if (b == null) {
            // Dense is the only candidate: no sample to price it on (a sample of a stored patch decodes its chunk).
            return new Choice(target, null, null).only(kinds.densePlan(target, targetId));
        }
        RowSample sample = estimateSample(target, b);
        Choice choice = new Choice(target, b, sample);
        choice.price(kinds.densePlan(target, targetId));
        if (b != null) {
            TensorId bid = usable.get().id();
            choice.price(kinds.xorPlan(target, targetId, bid));
            // From the sample: it only decides which candidates are priced, never what is written.
            double changed = sample.changedFraction(target.dtype());
            if (changed <= SPARSE_MAX_FRACTION) {
                choice.price(kinds.sparsePlan(target, targetId, bid));
            }
            boolean floats = SparseTernaryEncoding.supports(target.dtype());
            if (floats && changed > 0 && changed <= SPARSE_MAX_FRACTION && withinBudget(start)) {
                Optional<Float> magnitude = TernaryMagnitude.estimate(target, b, options);
                if (magnitude.isPresent()) {
                    choice.price(kinds.sparseTernaryPlan(target, targetId, bid, magnitude.get()));
                }
            }
            if (LowRankEncoding.supports(target.dtype()) && target.shape().rank() == 2 && changed > 0) {
                if (hint.isPresent()) {
                    choice.price(kinds.lowRankPlan(target, targetId, bid, hint.get()));
                } else if (withinBudget(start)) {
                    Optional<LowRankFactors> found = detector.detect(target, b, options);
                    if (found.isPresent()) {
                        choice.price(kinds.lowRankPlan(target, targetId, bid, found.get()));
                    }
                }
            }
        }
        return choice.encode();
    }

    /** The rows sizes are estimated on: a sixteenth of the tensor, within bounds, in evenly spread blocks. */
    private RowSample estimateSample(TensorInput target, TensorInput base) throws IOException {
        long bytes = Math.min(target.byteSize(),
                Math.max(ESTIMATE_MIN_BYTES, Math.min(ESTIMATE_MAX_BYTES, target.byteSize() / ESTIMATE_SHARE)));
        long rowsPerBlock = Chunking.rowsPerChunk(target.dtype(), target.shape(),
                Math.max(1, bytes / ESTIMATE_BLOCKS));
        return RowSample.read(target, base, rowsPerBlock, ESTIMATE_BLOCKS);
    }

    /** Bytes of each tensor a screen compares: the first rows, as far as this (a prefix decodes cheaply). */
    static final long SAMPLE_BYTES = 256 * 1024;

    /**
     * Which of several bases the target is nearest to: the one it differs from in the fewest bits
     * ({@link Elements#differenceBits}, which grows with both how many elements changed and by how much: a proxy for
     * every kind's size), a count that costs a read of both and no compression, so only the winner is encoded. Every
     * candidate is first screened on a sample (the first {@link #SAMPLE_BYTES} of rows, which a stored patch chain
     * decodes without decoding the rest); the {@code compared} best of the screen are then counted in full. Ties go to
     * the earlier candidate (callers list them nearest in history first), as does every candidate left once the time
     * budget is spent. Where only one candidate has the target's dtype and shape, it is chosen without reading either.
     *
     * @param compared how many of the screened candidates are counted in full (at least 1)
     * @return the chosen candidate, or empty if none has the target's dtype and shape
     */
    public Optional<Base> nearest(TensorInput target, List<Base> candidates, int compared) throws IOException {
        if (compared < 1) {
            throw new IllegalArgumentException("compare at least one base, not " + compared);
        }
        List<Base> fitting = candidates.stream().filter(b -> b.tensor().dtype() == target.dtype()
                && b.tensor().shape().equals(target.shape())).toList();
        if (fitting.size() < 2) {
            return fitting.stream().findFirst();
        }
        long start = System.nanoTime();
        boolean sampleIsWhole = target.byteSize() <= SAMPLE_BYTES;
        List<Base> order = fitting;
        if (fitting.size() > compared || sampleIsWhole) {
            List<Scored> screened = new ArrayList<>();
            for (Base b : fitting) {
                if (!screened.isEmpty() && !withinBudget(start)) {
                    break;
                }
                screened.add(new Scored(b, difference(target, b.tensor(), SAMPLE_BYTES).bitsPerByte()));
            }
            // A stable sort: equally near samples keep history's order.
            screened.sort(Comparator.comparingDouble(Scored::bitsPerByte));
            if (sampleIsWhole) {
                return Optional.of(screened.get(0).base());
            }
            order = screened.stream().limit(compared).map(Scored::base).toList();
        }
        Base best = null;
        double bestBits = Double.MAX_VALUE;
        for (Base b : order) {
            if (best != null && !withinBudget(start)) {
                break;
            }
            double bits = difference(target, b.tensor(), Long.MAX_VALUE).bitsPerByte();
            if (bits < bestBits) {
                best = b;
                bestBits = bits;
            }
            if (bits == 0) {
                break;
            }
        }
        return Optional.of(best);
    }

    private record Scored(Base base, double bitsPerByte) {
    }

    private boolean withinBudget(long start) {
        return System.nanoTime() - start < options.timeBudget().toNanos();
    }

    /** How a target differs from a base over some of its rows. */
    private record Difference(long units, long changedUnits, long bytes, long changedBits) {
        double changedFraction() {
            return units == 0 ? 0 : (double) changedUnits / units;
        }

        double bitsPerByte() {
            return bytes == 0 ? 0 : (double) changedBits / bytes;
        }
    }

    /** How the target differs from the base in the first {@code limitBytes} of rows (at least one row). */
    private Difference difference(TensorInput target, TensorInput base, long limitBytes) throws IOException {
        long units = 0;
        long changed = 0;
        long bits = 0;
        int width = Elements.unitWidth(target.dtype().bits());
        long chunkBytes = Math.min(options.chunkBytes(), limitBytes);
        long rowsPerChunk = Chunking.rowsPerChunk(target.dtype(), target.shape(), chunkBytes);
        long read = 0;
        try (ChunkedPair chunks = new ChunkedPair(target, base, rowsPerChunk)) {
            while (read < limitBytes && chunks.next()) {
                byte[] t = chunks.target();
                byte[] b = chunks.base();
                changed += SparseEncoding.countChanges(t, b, target.dtype());
                units += t.length / width;
                read += t.length;
                bits += Elements.differenceBits(t, b, width);
            }
        }
        return new Difference(units, changed, read, bits);
    }

    /** Prices candidates on the sample, then encodes the cheapest (two, when too close to call) in full. */
    private final class Choice {
        private final TensorInput target;
        private final TensorInput base;
        private final RowSample sample;
        private final List<KindEncoders.Plan> plans = new ArrayList<>();
        private final List<Candidate> candidates = new ArrayList<>();

        Choice(TensorInput target, TensorInput base, RowSample sample) {
            this.target = target;
            this.base = base;
            this.sample = sample;
        }

        void price(KindEncoders.Plan plan) {
            long t0 = System.nanoTime();
            long bytes = CandidateSize.estimate(plan, sample, target.byteSize(), options.zstdLevel());
            plans.add(plan);
            candidates.add(new Candidate(plan.kind(), bytes, System.nanoTime() - t0, true));
        }

        /** Encodes the one candidate there is, unpriced. */
        Result only(KindEncoders.Plan plan) throws IOException {
            plans.add(plan);
            candidates.add(new Candidate(plan.kind(), 0, 0, true));
            return new Result(plan.kind(), full(0), List.copyOf(candidates));
        }

        Result encode() throws IOException {
            // A stable order: of equal estimates, the candidate priced first (the cheaper to make) wins.
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < plans.size(); i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingLong(i -> candidates.get(i).bytes()));
            int best = order.get(0);
            SpillBuffer chosen = full(best);
            int chosenIndex = best;
            if (order.size() > 1) {
                int second = order.get(1);
                if (candidates.get(second).bytes() <= candidates.get(best).bytes() * (1 + TIE_MARGIN)) {
                    SpillBuffer other = full(second);
                    if (other.size() < chosen.size()) {
                        chosen.close();
                        chosen = other;
                        chosenIndex = second;
                    } else {
                        other.close();
                    }
                }
            }
            return new Result(plans.get(chosenIndex).kind(), chosen, List.copyOf(candidates));
        }

        /** Encodes candidate {@code i} in full, and records its true size. */
        private SpillBuffer full(int i) throws IOException {
            long t0 = System.nanoTime();
            KindEncoders.Plan plan = plans.get(i);
            SpillBuffer out = new SpillBuffer(options.chunkBytes());
            try {
                kinds.write(plan, target, plan.kind().needsBase() ? base : null, out);
            } catch (IOException | RuntimeException e) {
                out.close();
                throw e;
            }
            Candidate priced = candidates.get(i);
            candidates.set(i, new Candidate(plan.kind(), out.size(), priced.nanos() + System.nanoTime() - t0, false));
            return out;
        }
    }
}
