package io.thetahost.codec.encode;

import io.thetahost.codec.encodings.DenseEncoding;
import io.thetahost.codec.encodings.LowRankEncoding;
import io.thetahost.codec.encodings.SparseEncoding;
import io.thetahost.codec.encodings.SparseTernaryEncoding;
import io.thetahost.codec.encodings.XorEncoding;
import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.codec.format.EncodingWriter;
import io.thetahost.codec.format.Section;
import io.thetahost.codec.numeric.Elements;
import io.thetahost.codec.numeric.FloatElements;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Writes a tensor in one given encoding, streaming chunk by chunk; memory is about one chunk of the target and one of
 * the base. {@link Encoder} decides which encoding to use, pricing each kind's {@link Plan} on a sample of rows first.
 */
public final class KindEncoders {
    private final EncoderOptions options;

    public KindEncoders(EncoderOptions options) {
        this.options = options;
    }

    /** How one chunk's rows (of the target, and of the base when the kind has one) become the chunk's sections. */
    interface ChunkSections {
        List<Section> of(byte[] target, byte[] base, RowRanges rows);
    }

    /**
     * One kind's encoding of one tensor: its header, its shared sections and how each chunk is made. The same plan
     * writes the whole tensor ({@link #write}) and prices a sample of its rows ({@link CandidateSize}), so an
     * estimate measures exactly the sections a full encode would write.
     */
    record Plan(EncodingHeader header, List<Section> shared, ChunkSections chunks) {
        EncodingKind kind() {
            return header.kind();
        }
    }

    public void dense(TensorInput target, TensorId targetId, OutputStream out) throws IOException {
        write(densePlan(target, targetId), target, null, out);
    }

    public void xor(TensorInput target, TensorId targetId, TensorInput base, TensorId baseId, OutputStream out)
            throws IOException {
        write(xorPlan(target, targetId, baseId), target, base, out);
    }

    public void sparse(TensorInput target, TensorId targetId, TensorInput base, TensorId baseId, OutputStream out)
            throws IOException {
        write(sparsePlan(target, targetId, baseId), target, base, out);
    }

    /**
     * Sparse-ternary with the given magnitude: every element that differs from the base is listed, with the sign of
     * its change; where base plus or minus the magnitude does not round to the target, the residual says so.
     */
    public void sparseTernary(TensorInput target, TensorId targetId, TensorInput base, TensorId baseId,
            float magnitude, OutputStream out) throws IOException {
        write(sparseTernaryPlan(target, targetId, baseId, magnitude), target, base, out);
    }

    public void lowRank(TensorInput target, TensorId targetId, TensorInput base, TensorId baseId,
            LowRankFactors factors, OutputStream out) throws IOException {
        write(lowRankPlan(target, targetId, baseId, factors), target, base, out);
    }

    /** Writes the whole tensor by a plan; {@code base} is null for self-contained kinds. */
    void write(Plan plan, TensorInput target, TensorInput base, OutputStream out) throws IOException {
        EncodingHeader h = plan.header();
        EncodingWriter w = new EncodingWriter(out, h, plan.shared(), options.zstdLevel());
        try (ChunkedPair chunks = new ChunkedPair(target, base, h.rowsPerChunk())) {
            while (chunks.next()) {
                w.chunk(plan.chunks().of(chunks.target(), chunks.base(),
                        RowRanges.of(chunks.firstRow(), h.chunkRows(chunks.index()))));
            }
        }
        w.finish();
    }

    Plan densePlan(TensorInput target, TensorId targetId) {
        return new Plan(header(EncodingKind.DENSE, target, targetId, null, 0, 0f), List.of(),
                (t, b, rows) -> List.of(DenseEncoding.encode(t, target.dtype())));
    }

    Plan xorPlan(TensorInput target, TensorId targetId, TensorId baseId) {
        return new Plan(header(EncodingKind.XOR, target, targetId, baseId, 0, 0f), List.of(),
                (t, b, rows) -> List.of(XorEncoding.encode(t, b, target.dtype())));
    }

    Plan sparsePlan(TensorInput target, TensorId targetId, TensorId baseId) {
        return new Plan(header(EncodingKind.SPARSE, target, targetId, baseId, 0, 0f), List.of(),
                (t, b, rows) -> SparseEncoding.encode(t, b, target.dtype()));
    }

    Plan sparseTernaryPlan(TensorInput target, TensorId targetId, TensorId baseId, float magnitude) {
        FloatElements f = FloatElements.of(target.dtype()).orElseThrow(() -> new IllegalArgumentException(
                "sparse-ternary is not defined for " + target.dtype().formatName()));
        int width = target.dtype().byteSize();
        return new Plan(header(EncodingKind.SPARSE_TERNARY, target, targetId, baseId, 0, magnitude), List.of(),
                (t, b, rows) -> {
                    int units = t.length / width;
                    int[] positions = new int[units];
                    boolean[] plus = new boolean[units];
                    int count = 0;
                    for (int i = 0; i < units; i++) {
                        long tb = Elements.get(t, i, width);
                        long bb = Elements.get(b, i, width);
                        if (tb != bb) {
                            positions[count] = i;
                            plus[count] = !(f.toFloat(tb) < f.toFloat(bb));
                            count++;
                        }
                    }
                    return SparseTernaryEncoding.encode(t, b, target.dtype(), magnitude, positions, plus, count);
                });
    }

    Plan lowRankPlan(TensorInput target, TensorId targetId, TensorId baseId, LowRankFactors factors) {
        if (target.shape().rank() != 2 || factors.rows() != target.shape().dim(0)
                || factors.columns() != target.shape().dim(1)) {
            throw new IllegalArgumentException("factors for a " + factors.rows() + " x " + factors.columns()
                    + " matrix do not fit a tensor of shape " + target.shape());
        }
        long rowsPerChunk = Chunking.rowsPerChunk(target.dtype(), target.shape(), options.chunkBytes(),
                4L * factors.rank());
        EncodingHeader h = new EncodingHeader(EncodingKind.LOW_RANK, target.dtype(), target.shape(), targetId, baseId,
                rowsPerChunk, factors.rank(), 0f, EncodingHeader.versionFor(EncodingKind.LOW_RANK));
        return new Plan(h, List.of(LowRankEncoding.factorA(factors.a())),
                (t, b, rows) -> LowRankEncoding.encode(t, b, target.dtype(), factors.bRows(rows),
                        factors.a(), factors.rank(), factors.columns()));
    }

    private EncodingHeader header(EncodingKind kind, TensorInput target, TensorId targetId, TensorId baseId,
            int rank, float magnitude) {
        long rowsPerChunk = Chunking.rowsPerChunk(target.dtype(), target.shape(), options.chunkBytes());
        return new EncodingHeader(kind, target.dtype(), target.shape(), targetId, baseId, rowsPerChunk, rank,
                magnitude, EncodingHeader.versionFor(kind));
    }
}
