package io.thetahost.codec;

import io.thetahost.codec.decode.BaseLookup;
import io.thetahost.codec.decode.BaseTensor;
import io.thetahost.codec.decode.TensorDecoder;
import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.KindEncoders;
import io.thetahost.codec.encode.LowRankFactors;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.format.DecodeLimits;
import io.thetahost.codec.encodings.LowRankEncoding;
import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.codec.format.EncodingReader;
import io.thetahost.codec.format.EncodingWriter;
import io.thetahost.codec.format.Section;
import io.thetahost.codec.format.SectionTag;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A target tensor and the base it is encoded against (null for none), with the encoders and the decoder wired up the
 * way a user of the codec does it: encode with {@link KindEncoders}, decode with {@link TensorDecoder} and a
 * {@link BaseLookup} that knows the base.
 */
public record TensorPair(DType dtype, Shape shape, byte[] target, byte[] base) {

    public TensorId targetId() {
        return TensorId.of(dtype, shape, target);
    }

    public TensorId baseId() {
        return TensorId.of(dtype, shape, base);
    }

    public TensorPair withTarget(byte[] newTarget) {
        return new TensorPair(dtype, shape, newTarget, base);
    }

    private TensorInput targetInput() {
        return TensorInput.of(dtype, shape, target);
    }

    private TensorInput baseInput() {
        return TensorInput.of(dtype, shape, base);
    }

    public static EncoderOptions chunks(long chunkBytes) {
        return EncoderOptions.defaults().withChunkBytes(chunkBytes);
    }

    public byte[] dense(EncoderOptions options) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new KindEncoders(options).dense(targetInput(), targetId(), out);
        return out.toByteArray();
    }

    public byte[] xor(EncoderOptions options) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new KindEncoders(options).xor(targetInput(), targetId(), baseInput(), baseId(), out);
        return out.toByteArray();
    }

    public byte[] sparse(EncoderOptions options) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new KindEncoders(options).sparse(targetInput(), targetId(), baseInput(), baseId(), out);
        return out.toByteArray();
    }

    public byte[] sparseTernary(EncoderOptions options, float magnitude) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new KindEncoders(options).sparseTernary(targetInput(), targetId(), baseInput(), baseId(), magnitude, out);
        return out.toByteArray();
    }

    public byte[] lowRank(EncoderOptions options, LowRankFactors factors) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new KindEncoders(options).lowRank(targetInput(), targetId(), baseInput(), baseId(), factors, out);
        return out.toByteArray();
    }

    /** A lookup that knows this pair's base (under its true id, dtype and shape), and nothing else. */
    public BaseLookup bases() {
        if (base == null) {
            return BaseLookup.NONE;
        }
        TensorId id = baseId();
        return wanted -> wanted.equals(id)
                ? Optional.of(new BaseTensor(dtype, shape, new ByteArrayInputStream(base)))
                : Optional.empty();
    }

    /**
     * A low-rank encoding as a version-1 writer made it, with no residual: for a target that is version 1's apply of
     * the factors (one chunk, which holds every row).
     */
    public byte[] lowRankVersion1(LowRankFactors factors) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EncodingHeader h = new EncodingHeader(EncodingKind.LOW_RANK, dtype, shape, targetId(), baseId(),
                shape.rows(), factors.rank(), 0f, EncodingHeader.VERSION_1);
        EncodingWriter w = new EncodingWriter(out, h, List.of(LowRankEncoding.factorA(factors.a())), 1);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(factors.b().length * 4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : factors.b()) {
            b.putFloat(v);
        }
        w.chunk(List.of(new Section(SectionTag.FACTOR_B, b.array())));
        w.finish();
        return out.toByteArray();
    }

    /** Decodes with the default limits; the id is checked by the decoder. */
    public byte[] decode(byte[] encoding) throws IOException {
        return decode(encoding, DecodeLimits.defaults());
    }

    public byte[] decode(byte[] encoding, DecodeLimits limits) throws IOException {
        return decode(encoding, bases(), limits);
    }

    public static byte[] decode(byte[] encoding, BaseLookup bases, DecodeLimits limits) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TensorDecoder(limits).decode(new ByteArrayInputStream(encoding), bases, out);
        return out.toByteArray();
    }

    /** An encoding's header and the tags of its shared sections and of each chunk's sections, read as written. */
    public record Layout(EncodingHeader header, Set<SectionTag> shared, List<Set<SectionTag>> chunks) {

        public static Layout of(byte[] encoding) throws IOException {
            EncodingReader reader = new EncodingReader(new ByteArrayInputStream(encoding), DecodeLimits.defaults());
            List<Set<SectionTag>> chunks = new ArrayList<>();
            for (long c = 0; c < reader.header().chunkCount(); c++) {
                chunks.add(tags(reader.nextChunk()));
            }
            reader.finish();
            return new Layout(reader.header(), tags(reader.shared()), chunks);
        }

        private static Set<SectionTag> tags(List<Section> sections) {
            Set<SectionTag> tags = EnumSet.noneOf(SectionTag.class);
            sections.forEach(s -> tags.add(s.tag()));
            return tags;
        }

        /** The indexes of the chunks that carry a residual. */
        public List<Integer> chunksWithResidual() {
            List<Integer> out = new ArrayList<>();
            for (int c = 0; c < chunks.size(); c++) {
                if (chunks.get(c).contains(SectionTag.RESIDUAL)) {
                    out.add(c);
                }
            }
            return out;
        }
    }
}
