package io.thetahost.codec.decode;

import io.thetahost.codec.encodings.ChunkApply;
import io.thetahost.codec.format.DecodeLimits;
import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.format.EncodingReader;
import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.codec.format.Section;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Decodes an encoding to the raw bytes of its tensor, chunk by chunk, and verifies that they hash to the id the
 * encoding names. Pure Java and bit-reproducible (DESIGN.md section 3). Memory is bounded by the limits: about one
 * target chunk, one base chunk and the shared sections.
 *
 * <p>The bytes are written as they are decoded; the id is checked at the end. A caller that must not expose a wrong
 * tensor writes to a temporary place and commits only when this returns.
 */
public final class TensorDecoder {
    private final DecodeLimits limits;

    public TensorDecoder(DecodeLimits limits) {
        this.limits = limits;
    }

    /**
     * @return the id of the decoded tensor, which is the one the encoding declares
     * @throws InvalidEncodingException for anything malformed, a missing or mismatched base, or a result whose id is
     *     not the declared one
     */
    public TensorId decode(InputStream encoding, BaseLookup bases, OutputStream out) throws IOException {
        EncodingReader reader = new EncodingReader(encoding, limits);
        EncodingHeader h = reader.header();
        InputStream base = null;
        if (h.kind().needsBase()) {
            BaseTensor b = bases.open(h.base()).orElseThrow(() -> new InvalidEncodingException(
                    h.kind().displayName() + " patch needs base " + h.base() + ", which is not available"));
            if (b.dtype() != h.dtype() || !b.shape().equals(h.shape())) {
                b.bytes().close();
                throw new InvalidEncodingException(h.kind().displayName() + " patch for a " + h.dtype().formatName()
                        + " " + h.shape() + " tensor names a base that is " + b.dtype().formatName() + " "
                        + b.shape());
            }
            base = b.bytes();
        }
        try {
            ChunkApply apply = ChunkApply.prepare(h, reader.shared());
            TensorId.Hasher hasher = TensorId.hasher(h.dtype(), h.shape());
            for (long c = 0; c < h.chunkCount(); c++) {
                List<Section> sections = reader.nextChunk();
                int chunkBytes = Math.toIntExact(h.chunkBytes(c));
                byte[] baseChunk = base == null ? null : readBase(base, chunkBytes, c);
                byte[] chunk = apply.chunk(c, sections, baseChunk);
                hasher.update(chunk, 0, chunk.length);
                out.write(chunk);
            }
            reader.finish();
            TensorId id = hasher.finish();
            if (!id.equals(h.target())) {
                throw new InvalidEncodingException("decoded tensor is " + id + ", not " + h.target()
                        + " as the encoding declares");
            }
            return id;
        } finally {
            if (base != null) {
                base.close();
            }
        }
    }

    private static byte[] readBase(InputStream base, int length, long chunk) throws IOException {
        byte[] b = base.readNBytes(length);
        if (b.length != length) {
            throw new InvalidEncodingException("base tensor ends inside chunk " + chunk);
        }
        return b;
    }
}
