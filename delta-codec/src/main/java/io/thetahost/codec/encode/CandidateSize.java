package io.thetahost.codec.encode;

import io.thetahost.codec.format.EncodingWriter;

/**
 * The size a plan's full encode would have, estimated by encoding only a sample's blocks of rows, joined into one
 * chunk, with the same sections and compression and scaling up by the share of the tensor they hold. One chunk, as a
 * tensor's chunks hold many rows: each block on its own paid a frame's header and tables per plane, which on the
 * one-row blocks of a small matrix inflated every estimate (most the most compressible candidate's) and made zstd's
 * per-frame setup most of the pricing's time (2.5 of 5 ms a checkpoint of the fixtures). Shared sections (low-rank
 * factor A) are counted whole; the fixed header, the same for every kind, is left out. Encoding cost: the sample's.
 */
final class CandidateSize {
    private CandidateSize() {
    }

    static long estimate(KindEncoders.Plan plan, RowSample sample, long tensorBytes, int zstdLevel) {
        long shared = EncodingWriter.sectionsBytes(plan.shared(), zstdLevel);
        if (sample.bytes() == 0) {
            return shared;
        }
        long sampled = EncodingWriter.sectionsBytes(plan.chunks().of(sample.joinedTarget(), sample.joinedBase(),
                sample.rows()), zstdLevel);
        return shared + Math.round((double) sampled * tensorBytes / sample.bytes());
    }
}
