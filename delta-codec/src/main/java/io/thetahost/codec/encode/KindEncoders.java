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
 * the base. {@link Encoder} decides which encoding to use.
 */
public final class KindEncoders {
    private final EncoderOptions options;

    public KindEncoders(EncoderOptions options) {
        this.options = options;
    }

    public void dense(TensorInput target, TensorId targetId, OutputStream out) throws IOException {
        EncodingHeader h = header(EncodingKind.DENSE, target, targetId, null, 0, 0f);
        EncodingWriter w = new EncodingWriter(out, h, List.of(), options.zstdLevel());
        try (ChunkedPair chunks = new ChunkedPair(target, null, h.rowsPerChunk())) {
            while (chunks.next()) {
                w.chunk(List.of(DenseEncoding.encode(chunks.target(), target.dtype())));
            }
        }
        w.finish();
    }

    public void xor(TensorInput target, TensorId targetId, TensorInput base, TensorId baseId, OutputStream out)
            throws IOException {
        EncodingHeader h = header(EncodingKind.XOR, target, targetId, baseId, 0, 0f);
        EncodingWriter w = new EncodingWriter(out, h, List.of(), options.zstdLevel());
        try (ChunkedPair chunks = new ChunkedPair(target, base, h.rowsPerChunk())) {
            while (chunks.next()) {
                w.chunk(List.of(XorEncoding.encode(chunks.target(), chunks.base(), target.dtype())));
            }
        }
        w.finish();
    }

    public void sparse(TensorInput target, TensorId targetId, TensorInput base, TensorId baseId, OutputStream out)
            throws IOException {
        EncodingHeader h = header(EncodingKind.SPARSE, target, targetId, baseId, 0, 0f);
        EncodingWriter w = new EncodingWriter(out, h, List.of(), options.zstdLevel());
        try (ChunkedPair chunks = new ChunkedPair(target, base, h.rowsPerChunk())) {
            while (chunks.next()) {
                w.chunk(SparseEncoding.encode(chunks.target(), chunks.base(), target.dtype()));
            }
        }
        w.finish();
    }

    /**
     * Sparse-ternary with the given magnitude: every element that differs from the base is listed, with the sign of
     * its change; where base plus or minus the magnitude does not round to the target, the residual says so.
     */
    public void sparseTernary(TensorInput target, TensorId targetId, TensorInput base, TensorId baseId,
            float magnitude, OutputStream out) throws IOException {
        EncodingHeader h = header(EncodingKind.SPARSE_TERNARY, target, targetId, baseId, 0, magnitude);
        FloatElements f = FloatElements.of(target.dtype()).orElseThrow(() -> new IllegalArgumentException(
                "sparse-ternary is not defined for " + target.dtype().formatName()));
        int width = target.dtype().byteSize();
        EncodingWriter w = new EncodingWriter(out, h, List.of(), options.zstdLevel());
        try (ChunkedPair chunks = new ChunkedPair(target, base, h.rowsPerChunk())) {
            while (chunks.next()) {
                byte[] t = chunks.target();
                byte[] b = chunks.base();
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
                w.chunk(SparseTernaryEncoding.encode(t, b, target.dtype(), magnitude, positions, plus, count));
            }
        }
        w.finish();
    }

    public void lowRank(TensorInput target, TensorId targetId, TensorInput base, TensorId baseId,
            LowRankFactors factors, OutputStream out) throws IOException {
        if (target.shape().rank() != 2 || factors.rows() != target.shape().dim(0)
                || factors.columns() != target.shape().dim(1)) {
            throw new IllegalArgumentException("factors for a " + factors.rows() + " x " + factors.columns()
                    + " matrix do not fit a tensor of shape " + target.shape());
        }
        long rowsPerChunk = Chunking.rowsPerChunk(target.dtype(), target.shape(), options.chunkBytes(),
                4L * factors.rank());
        EncodingHeader h = new EncodingHeader(EncodingKind.LOW_RANK, target.dtype(), target.shape(), targetId, baseId,
                rowsPerChunk, factors.rank(), 0f, EncodingHeader.versionFor(EncodingKind.LOW_RANK));
        Section a = LowRankEncoding.factorA(factors.a());
        EncodingWriter w = new EncodingWriter(out, h, List.of(a), options.zstdLevel());
        try (ChunkedPair chunks = new ChunkedPair(target, base, h.rowsPerChunk())) {
            while (chunks.next()) {
                long rows = h.chunkRows(chunks.index());
                w.chunk(LowRankEncoding.encode(chunks.target(), chunks.base(), target.dtype(),
                        factors.bRows(chunks.firstRow(), rows), factors.a(), factors.rank(), factors.columns()));
            }
        }
        w.finish();
    }

    private EncodingHeader header(EncodingKind kind, TensorInput target, TensorId targetId, TensorId baseId,
            int rank, float magnitude) {
        long rowsPerChunk = Chunking.rowsPerChunk(target.dtype(), target.shape(), options.chunkBytes());
        return new EncodingHeader(kind, target.dtype(), target.shape(), targetId, baseId, rowsPerChunk, rank,
                magnitude, EncodingHeader.versionFor(kind));
    }
}
