package io.thetahost.client.add;

import io.thetahost.client.store.LocalStore;
import io.thetahost.codec.encode.LowRankFactors;
import io.thetahost.codec.encode.SpillBuffer;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.encodings.LowRankEncoding;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;

/**
 * Applies low-rank factors to a stored tensor the canonical way and stores the result as a low-rank patch of it.
 * Memory: the base is read and the result made a block of rows at a time, within the encoder's chunk size; the
 * result is spilled to a temporary file beyond that.
 */
final class LowRankUpdate {
    private final LocalStore local;

    LowRankUpdate(LocalStore local) {
        this.local = local;
    }

    /** Stores base + B A (canonically rounded) as a patch of {@code base} and returns its id. */
    TensorId apply(ManifestTensor base, LowRankFactors factors) throws IOException {
        if (!LowRankEncoding.supports(base.dtype())) {
            throw new IllegalArgumentException(base.name() + " is " + base.dtype() + ", which a low-rank update "
                    + "cannot apply to");
        }
        TensorInput baseInput = local.input(base.id()).orElseThrow(() -> new IOException(
                "tensor " + base.name() + " (" + base.id() + ") is not in the local store"));
        long chunk = local.encoderOptions().chunkBytes();
        int columns = factors.columns();
        long rowBytes = (long) columns * base.dtype().byteSize();
        int rowsPerBlock = (int) Math.max(1, Math.min(factors.rows(), chunk / Math.max(rowBytes, 1)));
        try (SpillBuffer target = new SpillBuffer(chunk)) {
            try (InputStream in = baseInput.open()) {
                for (int first = 0; first < factors.rows(); first += rowsPerBlock) {
                    int rows = Math.min(rowsPerBlock, factors.rows() - first);
                    byte[] rowsOfBase = in.readNBytes((int) (rows * rowBytes));
                    if (rowsOfBase.length != rows * rowBytes) {
                        throw new IOException("tensor " + base.name() + " ended early in the local store");
                    }
                    target.write(LowRankEncoding.canonicalApply(factors.bRows(first, rows), factors.a(),
                            factors.rank(), columns, rowsOfBase, base.dtype()));
                }
            }
            return local.putComputed(base.dtype(), base.shape(), target, (encoders, result, id, out) ->
                    encoders.lowRank(result, id, baseInput, base.id(), factors, out));
        }
    }
}
