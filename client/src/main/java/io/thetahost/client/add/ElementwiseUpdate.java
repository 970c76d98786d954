package io.thetahost.client.add;

import io.thetahost.client.store.LocalStore;
import io.thetahost.codec.encode.SpillBuffer;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.encodings.SparseEncoding;
import io.thetahost.codec.encodings.SparseTernaryEncoding;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;

/**
 * Applies an element-wise update to a stored tensor the canonical way and stores the result as a patch of it: a
 * sparse update (a delta added where it is not zero) or a sparse-ternary one (a mask of -1, 0 and +1 times a
 * magnitude). Memory: a block of elements within the encoder's chunk size from each input at a time; the result
 * spills to a temporary file beyond it.
 */
final class ElementwiseUpdate {
    /** The kind of element-wise update, with how a block of it applies. */
    enum Kind {
        SPARSE, SPARSE_TERNARY
    }

    private final LocalStore local;

    ElementwiseUpdate(LocalStore local) {
        this.local = local;
    }

    /** What the update file must hold for a tensor, or null when it fits. */
    static String misfit(Kind kind, ManifestTensor base, DType dtype, io.thetahost.protocol.tensor.Shape shape) {
        if (!shape.equals(base.shape())) {
            return "its shape " + shape + " is not the checkpoint's " + base.shape();
        }
        if (kind == Kind.SPARSE && dtype != base.dtype()) {
            return "a delta must have the checkpoint's dtype " + base.dtype() + ", not " + dtype;
        }
        if (kind == Kind.SPARSE_TERNARY && dtype != DType.I8) {
            return "a mask must be I8 (-1, 0, +1), not " + dtype;
        }
        if (kind == Kind.SPARSE_TERNARY && !SparseTernaryEncoding.supports(base.dtype())) {
            return "a sparse-ternary update is not defined for " + base.dtype();
        }
        return null;
    }

    /** Stores the updated tensor as a patch of {@code base} and returns its id. */
    TensorId apply(Kind kind, ManifestTensor base, TensorInput update, float magnitude) throws IOException {
        TensorInput baseInput = local.input(base.id()).orElseThrow(() -> new IOException(
                "tensor " + base.name() + " (" + base.id() + ") is not in the local store"));
        long chunk = local.encoderOptions().chunkBytes();
        int width = base.dtype().byteSize();
        int elements = (int) Math.max(1, chunk / width);
        int updateWidth = update.dtype().byteSize();
        try (SpillBuffer target = new SpillBuffer(chunk)) {
            try (InputStream b = baseInput.open(); InputStream u = update.open()) {
                while (true) {
                    byte[] baseBlock = b.readNBytes(elements * width);
                    byte[] updateBlock = u.readNBytes(baseBlock.length / width * updateWidth);
                    if (baseBlock.length == 0) {
                        break;
                    }
                    target.write(kind == Kind.SPARSE
                            ? SparseEncoding.canonicalAdd(baseBlock, updateBlock, base.dtype())
                            : SparseTernaryEncoding.canonicalApply(baseBlock, updateBlock, base.dtype(), magnitude,
                                    base.name()));
                }
            }
            return local.putComputed(base.dtype(), base.shape(), target, (encoders, result, id, out) -> {
                if (kind == Kind.SPARSE) {
                    encoders.sparse(result, id, baseInput, base.id(), out);
                } else {
                    encoders.sparseTernary(result, id, baseInput, base.id(), magnitude, out);
                }
            });
        }
    }
}
