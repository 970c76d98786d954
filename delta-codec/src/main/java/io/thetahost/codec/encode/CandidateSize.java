package io.thetahost.codec.encode;

import io.thetahost.codec.format.EncodingWriter;

/**
 * The size a plan's full encode would have, estimated by encoding only a sample's blocks of rows with the same
 * sections and compression and scaling up by the share of the tensor they hold. Shared sections (low-rank factor A)
 * are counted whole; the fixed header, the same for every kind, is left out. Encoding cost: the sample's.
 */
final class CandidateSize {
    private CandidateSize() {
    }

    static long estimate(KindEncoders.Plan plan, RowSample sample, long tensorBytes, int zstdLevel) {
        long shared = EncodingWriter.sectionsBytes(plan.shared(), zstdLevel);
        if (sample.bytes() == 0) {
            return shared;
        }
        long sampled = 0;
        for (RowSample.Block b : sample.blocks()) {
            sampled += EncodingWriter.sectionsBytes(plan.chunks().of(b.target(), b.base(), b.firstRow(), b.rows()),
                    zstdLevel);
        }
        return shared + Math.round((double) sampled * tensorBytes / sample.bytes());
    }
}
