package io.thetahost.codec.decode;

import io.thetahost.codec.format.DecodeLimits;
import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Decodes an encoding to the raw bytes of its tensor, chunk by chunk, and verifies that they hash to the id the
 * encoding names. Pure Java and bit-reproducible (docs/DESIGN.md section 3). Memory is bounded by the limits: about one
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
        try (DecodingStream tensor = open(encoding, bases)) {
            tensor.transferTo(out);
            return tensor.verifiedId();
        }
    }

    /** The tensor as a stream decoded while it is read; see {@link DecodingStream}. */
    public DecodingStream open(InputStream encoding, BaseLookup bases) throws IOException {
        return DecodingStream.open(encoding, bases, limits);
    }
}
