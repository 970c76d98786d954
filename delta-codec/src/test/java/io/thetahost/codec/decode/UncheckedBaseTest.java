package io.thetahost.codec.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.KindEncoders;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.format.DecodeLimits;
import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A base decoded for its patch is not hashed (DecodingStream.openAsBase): the patch's own check is what refuses a
 * wrong base. A base encoding that lies about its tensor still makes its patch fail, naming the patch's tensor.
 */
class UncheckedBaseTest {
    private static final Shape SHAPE = Shape.of(64, 48);
    private static final DecodeLimits LIMITS = DecodeLimits.defaults();
    private final KindEncoders kinds = new KindEncoders(EncoderOptions.defaults());
    private final SplittableRandom random = new SplittableRandom(3);

    private byte[] floats() {
        return GaussianFloats.of(random, SHAPE);
    }

    private byte[] dense(byte[] raw, TensorId declared) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        kinds.dense(TensorInput.of(DType.F32, SHAPE, raw), declared, out);
        return out.toByteArray();
    }

    private byte[] decodePatch(byte[] patch, byte[] baseEncoding) throws IOException {
        BaseLookup bases = id -> Optional.of(new BaseTensor(DType.F32, SHAPE,
                DecodingStream.openAsBase(new ByteArrayInputStream(baseEncoding), none -> Optional.empty(), LIMITS)));
        try (DecodingStream s = DecodingStream.open(new ByteArrayInputStream(patch), bases, LIMITS)) {
            byte[] out = s.readAllBytes();
            s.verifiedId();
            return out;
        }
    }

    @Test
    void aLyingBaseFailsItsPatchsCheck() throws IOException {
        byte[] base = floats();
        byte[] target = base.clone();
        target[100] ^= 1;
        TensorId baseId = TensorId.of(DType.F32, SHAPE, base);
        TensorId targetId = TensorId.of(DType.F32, SHAPE, target);
        ByteArrayOutputStream patch = new ByteArrayOutputStream();
        kinds.xor(TensorInput.of(DType.F32, SHAPE, target), targetId, TensorInput.of(DType.F32, SHAPE, base), baseId,
                patch);

        assertArrayEquals(target, decodePatch(patch.toByteArray(), dense(base, baseId)), "the true base");

        byte[] lying = dense(floats(), baseId);
        InvalidEncodingException checked = assertThrows(InvalidEncodingException.class, () -> {
            try (DecodingStream s = DecodingStream.open(new ByteArrayInputStream(lying), id -> Optional.empty(),
                    LIMITS)) {
                s.readAllBytes();
            }
        });
        assertTrue(checked.getMessage().contains("not " + baseId), checked.getMessage());
        InvalidEncodingException viaPatch = assertThrows(InvalidEncodingException.class,
                () -> decodePatch(patch.toByteArray(), lying));
        assertTrue(viaPatch.getMessage().contains("not " + targetId), viaPatch.getMessage());
    }
}
