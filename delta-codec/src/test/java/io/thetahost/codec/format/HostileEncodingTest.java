package io.thetahost.codec.format;

import static io.thetahost.codec.TensorPair.chunks;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.codec.TensorPair;
import io.thetahost.codec.decode.BaseLookup;
import io.thetahost.codec.decode.BaseTensor;
import io.thetahost.codec.decode.DecodingStream;
import io.thetahost.codec.encode.LowRankFactors;
import io.thetahost.codec.format.CraftedEncoding.Sec;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Every encoding the decoder refuses is refused with an {@link InvalidEncodingException} saying why: never another
 * exception, never a hang, and never after allocating what the encoding merely declares. Encodings are crafted field
 * by field ({@link CraftedEncoding}), mostly from a real encoder's output with one thing changed.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileEncodingTest {
    private static final long MIB = 1 << 20;

    /** F32 [3, 2]: the target, and a base that differs in two elements (rows 1 and 2). */
    static final TensorPair PAIR = new TensorPair(DType.F32, Shape.of(3, 2), f32(1, 2, 3, 4, 5, 6),
            f32(1, 2, 3.5f, 4, 5, 6.5f));
    /** Low-rank factors of rank 2 for PAIR: A is 2 x 2 (16 bytes), each row of B 8 bytes. */
    static final LowRankFactors FACTORS = new LowRankFactors(2, 3, 2, new float[] {0.5f, 0, 0, 0.25f, 1, 1},
            new float[] {0.5f, 0.5f, -1, 2});

    // One row (8 bytes) per chunk: three chunks.
    static CraftedEncoding dense() throws IOException {
        return CraftedEncoding.of(PAIR.dense(chunks(8)));
    }

    static CraftedEncoding xor() throws IOException {
        return CraftedEncoding.of(PAIR.xor(chunks(8)));
    }

    static CraftedEncoding sparse() throws IOException {
        return CraftedEncoding.of(PAIR.sparse(chunks(8)));
    }

    static CraftedEncoding ternary() throws IOException {
        return CraftedEncoding.of(PAIR.sparseTernary(chunks(8), 0.5f));
    }

    static CraftedEncoding lowRank() throws IOException {
        return CraftedEncoding.of(PAIR.lowRank(chunks(8), FACTORS));
    }

    @Nested
    class TheBaselines {
        @Test
        void decodeAsCrafted() throws IOException {
            for (CraftedEncoding c : List.of(dense(), xor(), sparse(), ternary(), lowRank())) {
                assertArrayEquals(PAIR.target(), PAIR.decode(c.bytes()), "kind " + c.kind);
                assertEquals(3, c.chunks.size());
            }
        }
    }

    @Nested
    class Header {
        @Test
        void badMagic() throws IOException {
            CraftedEncoding c = dense();
            c.magic = new byte[] {'T', 'E', 'N', 'X'};
            assertRefused("not a tensor encoding (bad magic number)", c);
            assertRefused("not a tensor encoding (bad magic number)", "PK\u0003\u0004 a zip file".getBytes());
        }

        @Test
        void unsupportedVersion() throws IOException {
            CraftedEncoding c = dense();
            c.version = 3;
            assertRefused("unsupported encoding version 3 (this build reads 1 and 2)", c);
            c.version = 0;
            assertRefused("unsupported encoding version 0 (this build reads 1 and 2)", c);
        }

        @Test
        void unknownKind() throws IOException {
            CraftedEncoding c = dense();
            c.kind = 5;
            assertRefused("unknown encoding kind 5", c);
            c.kind = 255;
            assertRefused("unknown encoding kind 255", c);
        }

        @Test
        void unknownDtypeCode() throws IOException {
            CraftedEncoding c = dense();
            c.dtype = 0;
            assertRefused("unknown dtype code 0", c);
            c.dtype = 23;
            assertRefused("unknown dtype code 23", c);
        }

        @Test
        void moreThan32Dimensions() throws IOException {
            CraftedEncoding c = dense();
            c.rank = 33;
            assertRefused("shape of 33 dimensions (at most 32)", c);
            c.rank = 255;
            assertRefused("shape of 255 dimensions (at most 32)", c);
        }

        @Test
        void shapeWhoseSizeOverflows() {
            CraftedEncoding elements = CraftedEncoding.header(EncodingKind.DENSE, DType.F32, 1L << 32, 1L << 32);
            assertRefused("invalid shape [4294967296, 4294967296] for F32: shape [4294967296, 4294967296] has too "
                    + "many elements", elements);
            CraftedEncoding bytes = CraftedEncoding.header(EncodingKind.DENSE, DType.F32, 1L << 62);
            assertRefused("invalid shape [4611686018427387904] for F32: long overflow", bytes);
            CraftedEncoding negative = CraftedEncoding.header(EncodingKind.DENSE, DType.F32, 2, -1);
            assertRefused("invalid shape [2, -1] for F32: negative dimension in shape [2, -1]", negative);
            CraftedEncoding halfBytes = CraftedEncoding.header(EncodingKind.DENSE, DType.F4, 3);
            assertRefused("invalid shape [3] for F4: 3 elements of F4 are not a whole number of bytes", halfBytes);
        }

        @Test
        void tensorLargerThanTheLimit() {
            CraftedEncoding c = CraftedEncoding.header(EncodingKind.DENSE, DType.F32, (1L << 38) + 1);
            assertRefused("tensor of 1099511627780 bytes exceeds the limit of 1099511627776", c);
            CraftedEncoding small = CraftedEncoding.header(EncodingKind.DENSE, DType.F32, 3, 2);
            DecodeLimits tight = new DecodeLimits(16, 16, 16, 4);
            assertRefused("tensor of 24 bytes exceeds the limit of 16", small.bytes(), BaseLookup.NONE, tight);
        }

        @Test
        void rowsPerChunkBelowOne() throws IOException {
            CraftedEncoding c = dense();
            c.rowsPerChunk = 0;
            assertRefused("rows per chunk must be at least 1", c);
            c.rowsPerChunk = -1;
            assertRefused("rows per chunk must be at least 1", c);
        }

        @Test
        void chunksLargerThanTheLimit() {
            // 1 GiB of rows of 1 KiB: 2^19 rows per chunk is 512 MiB, over the default 256 MiB.
            CraftedEncoding c = CraftedEncoding.header(EncodingKind.DENSE, DType.F32, 1 << 20, 256);
            c.rowsPerChunk = 1 << 19;
            assertRefused("chunks of 524288 rows (536870912 bytes) exceed the limit of 268435456 bytes per chunk", c);
            c.rowsPerChunk = Long.MAX_VALUE;
            assertRefused("chunks of 1048576 rows (1073741824 bytes) exceed the limit of 268435456 bytes per chunk",
                    c);
        }

        @Test
        void evenOneRowMustFitTheChunkLimit() throws IOException {
            // A row of 24 bytes decodes under a 24-byte chunk limit; under a 16-byte one, not even one row does.
            TensorPair row = new TensorPair(DType.F32, Shape.of(2, 6), new byte[48], null);
            DecodeLimits fits = new DecodeLimits(1 << 20, 24, 1 << 20, 4);
            assertArrayEquals(row.target(), row.decode(row.dense(chunks(1)), fits));
            DecodeLimits tight = new DecodeLimits(1 << 20, 16, 1 << 20, 4);
            assertRefused("chunks of 1 rows (24 bytes) exceed the limit of 16 bytes per chunk", row.dense(chunks(1)),
                    BaseLookup.NONE, tight);
        }

        @Test
        void aSingleRowTooLargeForAnArrayIsRefusedNotAnArithmeticError() {
            // One row of 4 GiB: over the chunk limit, and under a limit that allows it, over what a Java array holds.
            CraftedEncoding c = CraftedEncoding.header(EncodingKind.DENSE, DType.F32, 1, 1L << 30);
            c.chunks.add(new ArrayList<>());
            assertRefused("chunks of 1 rows (4294967296 bytes) exceed the limit of 268435456 bytes per chunk", c);
            assertRefused("chunks of 4294967296 bytes are more than a decoder holds in memory (at most 2147483631)",
                    c.bytes(), BaseLookup.NONE, new DecodeLimits(1L << 40, 1L << 40, 1 << 20, 4));
        }

        @Test
        void packedChunksThatSplitBytes() {
            // F4 [4, 1]: one row is half a byte, so one row per chunk would cut bytes in two.
            CraftedEncoding c = CraftedEncoding.header(EncodingKind.DENSE, DType.F4, 4, 1);
            c.rowsPerChunk = 1;
            assertRefused("chunks of 1 rows split bytes of packed F4 elements", c);
        }

        @Test
        void baseIdPresentOrMissingAgainstTheKind() throws IOException {
            CraftedEncoding d = dense();
            d.base(PAIR.baseId());
            assertRefused("dense encoding names a base tensor", d);
            CraftedEncoding x = xor();
            x.base = new byte[32];
            assertRefused("xor encoding lacks a base tensor", x);
        }

        @Test
        void lowRankRankOutOfRange() throws IOException {
            CraftedEncoding c = lowRank();
            c.lowRank = 0;
            assertRefused("low-rank rank 0 is outside 1..4096", c);
            c.lowRank = 4097;
            assertRefused("low-rank rank 4097 is outside 1..4096", c);
            c.lowRank = 0xffffffffL;
            assertRefused("low-rank rank -1 is outside 1..4096", c);
            c.lowRank = 3;
            assertRefused("low-rank rank 3 is outside 1..2", c.bytes(), PAIR.bases(),
                    new DecodeLimits(1 << 20, 1 << 20, 1 << 20, 2), "rank 3 over a custom limit");
        }

        @Test
        void lowRankOfSomethingOtherThanAMatrix() {
            CraftedEncoding cube = CraftedEncoding.header(EncodingKind.LOW_RANK, DType.F32, 2, 2, 2);
            cube.base(PAIR.baseId()).lowRank = 1;
            assertRefused("low-rank encoding of a tensor of shape [2, 2, 2] (it needs a matrix)", cube);
            CraftedEncoding vector = CraftedEncoding.header(EncodingKind.LOW_RANK, DType.F32, 6);
            vector.base(PAIR.baseId()).lowRank = 1;
            assertRefused("low-rank encoding of a tensor of shape [6] (it needs a matrix)", vector);
        }

        @Test
        void rankDeclaredByAnotherKind() throws IOException {
            CraftedEncoding c = dense();
            c.lowRank = 1;
            assertRefused("dense encoding declares a low-rank rank", c);
        }

        @Test
        void magnitudeDeclaredByAnotherKindOrNotFinite() throws IOException {
            CraftedEncoding c = dense();
            c.magnitude = 0.5f;
            assertRefused("dense encoding declares a sparse-ternary magnitude", c);
            CraftedEncoding t = ternary();
            t.magnitude = Float.NaN;
            assertRefused("sparse-ternary magnitude NaN is not a finite number", t);
            t.magnitude = Float.POSITIVE_INFINITY;
            assertRefused("sparse-ternary magnitude Infinity is not a finite number", t);
        }

        @Test
        void lowRankAndTernaryOfDtypesWithoutFloatMath() {
            TensorPair ints = new TensorPair(DType.I32, Shape.of(2, 2), new byte[16], new byte[16]);
            CraftedEncoding lr = CraftedEncoding.header(EncodingKind.LOW_RANK, DType.I32, 2, 2).base(ints.baseId());
            lr.lowRank = 1;
            assertRefused("low-rank encoding of I32 is not defined", lr.bytes(), ints.bases(),
                    DecodeLimits.defaults());
            CraftedEncoding st = CraftedEncoding.header(EncodingKind.SPARSE_TERNARY, DType.I32, 2, 2)
                    .base(ints.baseId());
            assertRefused("sparse-ternary encoding of I32 is not defined", st.bytes(), ints.bases(),
                    DecodeLimits.defaults());
        }
    }

    @Nested
    class Sections {
        @Test
        void moreThanEightSections() throws IOException {
            CraftedEncoding c = dense();
            c.declaredCounts.put(0, 9L);
            assertRefused("chunk 0: 9 sections (at most 8)", c);
            c.declaredCounts.put(0, 0xffffffffL);
            assertRefused("chunk 0: 4294967295 sections (at most 8)", c);
            CraftedEncoding s = dense();
            s.declaredCounts.put(-1, 9L);
            assertRefused("shared sections: 9 sections (at most 8)", s);
        }

        @Test
        void duplicateTags() throws IOException {
            CraftedEncoding c = dense();
            c.chunk(1).add(c.section(1, SectionTag.PLANES));
            assertRefused("chunk 1: two PLANES sections", c);
        }

        @Test
        void unknownTag() throws IOException {
            for (int tag : new int[] {0, 8, 255}) {
                CraftedEncoding c = dense();
                c.replace(0, SectionTag.PLANES, c.section(0, SectionTag.PLANES).withTag(tag));
                assertRefused("chunk 0: unknown section tag " + tag, c);
            }
        }

        @Test
        void unknownCodec() throws IOException {
            CraftedEncoding c = dense();
            c.replace(0, SectionTag.PLANES, c.section(0, SectionTag.PLANES).withCodec(9));
            assertRefused("chunk 0 PLANES: unknown section codec 9", c);
        }

        @Test
        void declaredRawLengthBeyondWhatTheChunkCanHold() throws IOException {
            // Chunk 0 is 8 bytes; a section of it may hold up to max(8 + 64, 0) + 8 / 4 = 74.
            for (long raw : new long[] {75, 1L << 40, -1}) {
                CraftedEncoding c = dense();
                c.replace(0, SectionTag.PLANES, c.section(0, SectionTag.PLANES).withRaw(raw));
                assertRefusedWithin(MIB, "chunk 0 PLANES: declares " + Long.toUnsignedString(raw)
                        + " bytes, more than the 74 this part of the tensor can hold", c.bytes(), PAIR.bases());
            }
        }

        @Test
        void storedLengthFarBeyondTheRawLength() throws IOException {
            CraftedEncoding c = dense();
            c.replace(0, SectionTag.PLANES, c.section(0, SectionTag.PLANES).withStored(1L << 40));
            assertRefusedWithin(MIB, "chunk 0 PLANES: stored form of 1099511627776 bytes for 8 raw bytes",
                    c.bytes(), PAIR.bases());
        }

        @Test
        void storedSectionWhoseLengthIsNotTheRawLength() throws IOException {
            CraftedEncoding c = dense();
            Sec planes = c.section(0, SectionTag.PLANES);
            c.replace(0, SectionTag.PLANES, planes.withStored(6).withBytes(Arrays.copyOf(planes.bytes(), 6)));
            assertRefused("chunk 0 PLANES: stored section of 6 bytes declares 8", c);
        }

        @Test
        void sharedSectionsAreNoLargerThanFactorA() throws IOException {
            // A dense encoding has no shared sections, so none may declare any bytes; low-rank's factor A holds
            // rank x columns floats. A zstd frame of 64 MiB of zeros is a few kilobytes.
            byte[] zeros = new byte[(int) (64 * MIB)];
            CraftedEncoding d = dense();
            d.shared.add(Sec.zstd(SectionTag.FACTOR_A, zeros));
            assertRefusedWithin(8 * MIB, "shared sections: unexpected FACTOR_A section", d.bytes(), PAIR.bases());
            CraftedEncoding lr = lowRank();
            lr.shared.set(0, Sec.zstd(SectionTag.FACTOR_A, zeros));
            assertRefusedWithin(8 * MIB, "shared sections FACTOR_A: declares 67108864 bytes, more than the 16 this "
                    + "part of the tensor can hold", lr.bytes(), PAIR.bases());
        }

        @Test
        void factorBOfAChunkIsBoundedByTheChunkLimit() {
            // F8 [65536, 1] is a 64 KiB tensor in one chunk, but rank 4096 would make that chunk's factor B 1 GiB.
            TensorPair p = new TensorPair(DType.F8_E4M3, Shape.of(65536, 1), new byte[65536], new byte[65536]);
            CraftedEncoding c = CraftedEncoding.header(EncodingKind.LOW_RANK, DType.F8_E4M3, 65536, 1)
                    .target(p.targetId()).base(p.baseId());
            c.rowsPerChunk = 65536;
            c.lowRank = 4096;
            c.shared.add(Sec.stored(SectionTag.FACTOR_A, new byte[4096 * 4]));
            c.chunks.add(new ArrayList<>(List.of(Sec.zstdWithoutSize(SectionTag.FACTOR_B, new byte[16], 1L << 30))));
            assertRefusedWithin(8 * MIB, "chunks of 65536 rows need 1073741824 bytes of factor B, more than the "
                    + "limit of 268435456 bytes per chunk", c.bytes(), p.bases());
        }
    }

    @Nested
    class Compression {
        /** U8 [1, 4096] in one chunk of 4096 bytes, so a few kilobytes of zstd may stand for it. */
        private final TensorPair bytes = new TensorPair(DType.U8, Shape.of(1, 4096), new byte[4096], null);

        private CraftedEncoding withPlanes(Sec planes) {
            CraftedEncoding c = CraftedEncoding.header(EncodingKind.DENSE, DType.U8, 1, 4096)
                    .target(bytes.targetId());
            c.chunks.add(new ArrayList<>(List.of(planes)));
            return c;
        }

        @Test
        void theUnchangedFrameDecodes() throws IOException {
            assertArrayEquals(bytes.target(), bytes.decode(withPlanes(Sec.zstd(SectionTag.PLANES, new byte[4096]))
                    .bytes()));
        }

        @Test
        void aBombThatDeclaresItsSize() {
            Sec bomb = Sec.zstd(SectionTag.PLANES, new byte[100_000_000]).withRaw(4096);
            assertTrue(bomb.stored() < 4096, "the bomb is small: " + bomb.stored());
            assertRefusedWithin(MIB, "chunk 0 PLANES: compressed frame holds 100000000 bytes, the section declares "
                    + "4096", withPlanes(bomb).bytes(), BaseLookup.NONE);
        }

        @Test
        void aBombThatHidesItsSize() {
            Sec bomb = Sec.zstdWithoutSize(SectionTag.PLANES, new byte[100_000_000], 4096);
            InvalidEncodingException e = assertRefusedWithin(MIB, null, withPlanes(bomb).bytes(), BaseLookup.NONE);
            assertTrue(e.getMessage().startsWith("chunk 0 PLANES: compressed data does not decompress into the "
                    + "declared 4096 bytes ("), e.getMessage());
        }

        @Test
        void aFrameThatHoldsLessThanDeclared() {
            assertRefused("chunk 0 PLANES: compressed frame holds 100 bytes, the section declares 4096",
                    withPlanes(Sec.zstd(SectionTag.PLANES, new byte[100]).withRaw(4096)).bytes(), BaseLookup.NONE,
                    DecodeLimits.defaults());
            assertRefused("chunk 0 PLANES: compressed data holds 100 bytes, the section declares 4096",
                    withPlanes(Sec.zstdWithoutSize(SectionTag.PLANES, new byte[100], 4096)).bytes(),
                    BaseLookup.NONE, DecodeLimits.defaults());
        }

        @Test
        void twoFramesWhereOneIsDeclared() {
            byte[] one = Sec.zstd(SectionTag.PLANES, new byte[4096]).bytes();
            byte[] two = ByteBuffer.allocate(one.length * 2).put(one).put(one).array();
            Sec planes = new Sec(SectionTag.PLANES.code(), CraftedEncoding.ZSTD, 4096, two.length, two);
            InvalidEncodingException e = assertRefusedWithin(MIB, null, withPlanes(planes).bytes(), BaseLookup.NONE);
            assertTrue(e.getMessage().startsWith("chunk 0 PLANES: compressed data does not decompress into the "
                    + "declared 4096 bytes ("), e.getMessage());
        }

        @Test
        void garbageInsteadOfAFrame() {
            byte[] garbage = new byte[64];
            new java.util.SplittableRandom(3).nextBytes(garbage);
            Sec planes = new Sec(SectionTag.PLANES.code(), CraftedEncoding.ZSTD, 4096, garbage.length, garbage);
            InvalidEncodingException e = assertRefusedWithin(MIB, null, withPlanes(planes).bytes(), BaseLookup.NONE);
            assertTrue(e.getMessage().startsWith("chunk 0 PLANES: compressed data does not decompress into the "
                    + "declared 4096 bytes ("), e.getMessage());
        }

        @Test
        void anEmptyFrame() {
            Sec planes = new Sec(SectionTag.PLANES.code(), CraftedEncoding.ZSTD, 4096, 0, new byte[0]);
            assertRefused("chunk 0 PLANES: empty compressed data for 4096 bytes", withPlanes(planes).bytes(),
                    BaseLookup.NONE, DecodeLimits.defaults());
        }
    }

    /** Codec 2: u8 plane count, then per plane u8 codec (0 stored, 1 zstd), u64 stored length, bytes. */
    @Nested
    class Planar {
        private static final int PLANAR = 2;

        /** Chunk 0 of the dense baseline (8 bytes) with its PLANES stored in planar form, as the test writes it. */
        private CraftedEncoding withPlanar(byte[] planar) throws IOException {
            CraftedEncoding c = dense();
            c.replace(0, SectionTag.PLANES, new Sec(SectionTag.PLANES.code(), PLANAR, 8, planar.length, planar));
            return c;
        }

        private byte[] planesOfChunk0() throws IOException {
            return dense().section(0, SectionTag.PLANES).bytes();
        }

        /** The plane count byte, then each plane as codec, u64 length, bytes (lengths as given). */
        private byte[] planar(int count, Object... codecLengthBytes) {
            ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
            b.put((byte) count);
            for (int i = 0; i < codecLengthBytes.length; i += 3) {
                b.put((byte) (int) (Integer) codecLengthBytes[i]);
                b.putLong((Long) codecLengthBytes[i + 1]);
                b.put((byte[]) codecLengthBytes[i + 2]);
            }
            return Arrays.copyOf(b.array(), b.position());
        }

        private byte[] half(int which) throws IOException {
            return Arrays.copyOfRange(planesOfChunk0(), 4 * which, 4 * which + 4);
        }

        @Test
        void storedAndCompressedPlanesDecode() throws IOException {
            byte[] z = Sec.zstd(SectionTag.PLANES, half(1)).bytes();
            byte[] planar = planar(2, 0, 4L, half(0), 1, (long) z.length, z);
            assertArrayEquals(PAIR.target(), PAIR.decode(withPlanar(planar).bytes()));
        }

        @Test
        void malformedPlaneCounts() throws IOException {
            assertRefused("chunk 0 PLANES: planar section without a plane count", withPlanar(new byte[0]));
            for (int count : new int[] {0, 1, 3, 9, 255}) {
                assertRefused("chunk 0 PLANES: " + count + " planes for a section of 8 bytes",
                        withPlanar(planar(count, 0, 8L, planesOfChunk0())));
            }
        }

        @Test
        void planesThatEndEarlyOrOverrun() throws IOException {
            byte[] cut = Arrays.copyOf(planar(2, 0, 4L, half(0), 0, 4L, half(1)), 1 + 13 + 5);
            assertRefused("chunk 0 PLANES: planar section ends inside plane 1", withPlanar(cut));
            assertRefused("chunk 0 PLANES: plane 0 declares 1099511627776 stored bytes, 4 remain",
                    withPlanar(planar(2, 0, 1L << 40, half(0))));
            assertRefused("chunk 0 PLANES: plane 0 declares 18446744073709551615 stored bytes, 4 remain",
                    withPlanar(planar(2, 0, -1L, half(0))));
            byte[] trailing = Arrays.copyOf(planar(2, 0, 4L, half(0), 0, 4L, half(1)), 1 + 2 * 13 + 1);
            assertRefused("chunk 0 PLANES: 1 bytes after the last plane", withPlanar(trailing));
        }

        @Test
        void planesWhoseContentDoesNotFit() throws IOException {
            assertRefused("chunk 0 PLANES plane 1: stored section of 3 bytes declares 4",
                    withPlanar(planar(2, 0, 4L, half(0), 0, 3L, Arrays.copyOf(half(1), 3))));
            assertRefused("chunk 0 PLANES plane 0: unknown section codec 2",
                    withPlanar(planar(2, PLANAR, 4L, half(0), 0, 4L, half(1))));
            assertRefused("chunk 0 PLANES plane 1: empty compressed data for 4 bytes",
                    withPlanar(planar(2, 0, 4L, half(0), 1, 0L, new byte[0])));
            byte[] eight = Sec.zstd(SectionTag.PLANES, new byte[8]).bytes();
            assertRefused("chunk 0 PLANES plane 0: compressed frame holds 8 bytes, the section declares 4",
                    withPlanar(planar(2, 1, (long) eight.length, eight, 0, 4L, half(1))));
        }
    }

    @Nested
    class Structure {
        @Test
        void missingOrUnexpectedSectionsPerKind() throws IOException {
            CraftedEncoding d = dense();
            d.replace(0, SectionTag.PLANES, d.section(0, SectionTag.PLANES).withTag(SectionTag.POSITIONS.code()));
            assertRefused("chunk 0: unexpected POSITIONS section", d);
            CraftedEncoding none = dense();
            none.remove(0, SectionTag.PLANES);
            assertRefused("chunk 0: missing PLANES section", none);

            CraftedEncoding extra = dense();
            extra.chunk(2).add(Sec.stored(SectionTag.POSITIONS, new byte[0]));
            assertRefused("chunk 2: unexpected POSITIONS section", extra);

            CraftedEncoding residual = dense();
            residual.chunk(0).add(Sec.stored(SectionTag.RESIDUAL, new byte[8]));
            assertRefused("chunk 0: unexpected RESIDUAL section", residual);

            CraftedEncoding sharedDense = dense();
            sharedDense.shared.add(Sec.stored(SectionTag.PLANES, new byte[0]));
            assertRefused("shared sections: unexpected PLANES section", sharedDense);

            CraftedEncoding noA = lowRank();
            noA.shared.clear();
            assertRefused("shared sections: missing FACTOR_A section", noA);

            CraftedEncoding noB = lowRank();
            noB.remove(1, SectionTag.FACTOR_B);
            assertRefused("chunk 1: missing FACTOR_B section", noB);

            CraftedEncoding noValues = sparse();
            noValues.remove(0, SectionTag.VALUES);
            assertRefused("chunk 0: missing VALUES section", noValues);

            CraftedEncoding ternaryValues = ternary();
            ternaryValues.chunk(0).add(Sec.stored(SectionTag.VALUES, new byte[0]));
            assertRefused("chunk 0: unexpected VALUES section", ternaryValues);

            CraftedEncoding noSigns = ternary();
            noSigns.remove(0, SectionTag.SIGNS);
            assertRefused("chunk 0: missing SIGNS section", noSigns);

            CraftedEncoding xorFactor = xor();
            xorFactor.chunk(0).add(Sec.stored(SectionTag.FACTOR_B, new byte[8]));
            assertRefused("chunk 0: unexpected FACTOR_B section", xorFactor);
        }

        @Test
        void planesOfTheWrongLength() throws IOException {
            CraftedEncoding d = dense();
            d.replace(1, SectionTag.PLANES, Sec.stored(SectionTag.PLANES, new byte[4]));
            assertRefused("chunk 1 planes hold 4 bytes, the chunk has 8", d);
            CraftedEncoding x = xor();
            x.replace(0, SectionTag.PLANES, Sec.stored(SectionTag.PLANES, new byte[12]));
            assertRefused("chunk 0 planes hold 12 bytes, the chunk has 8", x);
        }

        @Test
        void sparsePositions() throws IOException {
            // One row per chunk: 2 units of F32 per chunk.
            assertRefused("position 2 is outside a chunk of 2 units", sparseWith(new byte[] {2}, 4));
            assertRefused("position 2 is outside a chunk of 2 units", sparseWith(new byte[] {1, 0}, 8));
            assertRefused("position 4294967295 is outside a chunk of 2 units",
                    sparseWith(new byte[] {-1, -1, -1, -1, 0x0f}, 4));
            assertRefused("position gap too large", sparseWith(new byte[] {-128, -128, -128, -128, -128, -128, 0},
                    4));
            assertRefused("positions end inside a number", sparseWith(new byte[] {-128}, 4));
            assertRefused("positions end inside a number", sparseWith(new byte[] {0, -1}, 8));
        }

        @Test
        void sparsePositionsAndValuesThatDoNotCount() throws IOException {
            assertRefused("sparse chunk lists 2 positions but 1 values", sparseWith(new byte[] {0, 0}, 4));
            assertRefused("sparse chunk lists 0 positions but 1 values", sparseWith(new byte[0], 4));
            // Values that are not a whole number of F32 units (the message counts whole values only).
            InvalidEncodingException e = assertThrows(InvalidEncodingException.class,
                    () -> PAIR.decode(sparseWith(new byte[] {0}, 6).bytes()));
            assertTrue(e.getMessage().startsWith("sparse chunk lists 1 positions but "), e.getMessage());
        }

        private CraftedEncoding sparseWith(byte[] positions, int valueBytes) throws IOException {
            CraftedEncoding c = sparse();
            c.replace(0, SectionTag.POSITIONS, Sec.stored(SectionTag.POSITIONS, positions));
            c.replace(0, SectionTag.VALUES, Sec.stored(SectionTag.VALUES, new byte[valueBytes]));
            return c;
        }

        @Test
        void ternarySignsThatDoNotCount() throws IOException {
            CraftedEncoding c = ternary();
            c.replace(0, SectionTag.POSITIONS, Sec.stored(SectionTag.POSITIONS, new byte[] {0, 0}));
            c.replace(0, SectionTag.SIGNS, Sec.stored(SectionTag.SIGNS, new byte[0]));
            assertRefused("sparse-ternary chunk lists 2 positions but 0 bytes of signs", c);
            c.replace(0, SectionTag.SIGNS, Sec.stored(SectionTag.SIGNS, new byte[2]));
            assertRefused("sparse-ternary chunk lists 2 positions but 2 bytes of signs", c);
            c.replace(0, SectionTag.POSITIONS, Sec.stored(SectionTag.POSITIONS, new byte[] {2}));
            assertRefused("position 2 is outside a chunk of 2 units", c);
        }

        @Test
        void factorsWhoseSizesDoNotFitTheRank() throws IOException {
            CraftedEncoding a = lowRank();
            a.shared.set(0, Sec.stored(SectionTag.FACTOR_A, new byte[12]));
            assertRefused("factor A holds 12 bytes, a 2 x 2 float32 matrix needs 16", a);
            CraftedEncoding b = lowRank();
            b.replace(2, SectionTag.FACTOR_B, Sec.stored(SectionTag.FACTOR_B, new byte[4]));
            assertRefused("factor B holds 4 bytes for 1 rows of rank 2, which need 8", b);
            CraftedEncoding rank = lowRank();
            rank.lowRank = 1;
            assertRefused("shared sections FACTOR_A: declares 16 bytes, more than the 8 this part of the tensor can "
                    + "hold", rank);
        }

        @Test
        void residualOfTheWrongLength() throws IOException {
            CraftedEncoding c = lowRank();
            c.chunk(0).removeIf(s -> s.tag() == SectionTag.RESIDUAL.code());
            c.chunk(0).add(Sec.stored(SectionTag.RESIDUAL, new byte[4]));
            assertRefused("residual of 4 bytes for a chunk of 8", c);
        }

        @Test
        void fewerOrMoreChunksThanTheHeaderSays() throws IOException {
            CraftedEncoding fewer = dense();
            fewer.chunks.remove(2);
            // The reader takes the end marker for chunk 2's section count ("TEND" little-endian).
            assertRefused("chunk 2: 1145980244 sections (at most 8)", fewer);
            CraftedEncoding more = dense();
            more.chunks.add(new ArrayList<>(more.chunk(2)));
            assertRefused("encoding has no end marker after its last chunk", more);
        }

        @Test
        void anEmptyTensorOfVeryManyRowsInOneChunk() throws IOException {
            // [2^62, 0] holds nothing; rows per chunk 1.5 x 2^62 covers every row in one chunk.
            Shape shape = Shape.of(1L << 62, 0);
            TensorPair empty = new TensorPair(DType.F32, shape, new byte[0], null);
            CraftedEncoding c = CraftedEncoding.header(EncodingKind.DENSE, DType.F32, 1L << 62, 0)
                    .target(empty.targetId());
            c.rowsPerChunk = (1L << 62) + (1L << 61);
            c.chunks.add(new ArrayList<>(List.of(Sec.stored(SectionTag.PLANES, new byte[0]))));
            assertArrayEquals(new byte[0], empty.decode(c.bytes()));
            c.chunks.clear();
            // The reader takes the end marker for chunk 0's section count ("TEND" little-endian).
            assertRefused("chunk 0: 1145980244 sections (at most 8)", c.bytes(), BaseLookup.NONE,
                    DecodeLimits.defaults());
        }
    }

    @Nested
    class Bases {
        @Test
        void baseNotAvailable() throws IOException {
            assertRefused("xor patch needs base " + PAIR.baseId() + ", which is not available", xor().bytes(),
                    BaseLookup.NONE, DecodeLimits.defaults());
        }

        @Test
        void baseOfAnotherShapeOrDtype() throws IOException {
            AtomicBoolean closed = new AtomicBoolean();
            assertRefused("xor patch for a F32 [3, 2] tensor names a base that is F32 [2, 3]", xor().bytes(),
                    lookup(DType.F32, Shape.of(2, 3), PAIR.base(), closed), DecodeLimits.defaults());
            assertTrue(closed.get(), "the base stream is closed");
            assertRefused("low-rank patch for a F32 [3, 2] tensor names a base that is BF16 [3, 2]",
                    lowRank().bytes(), lookup(DType.BF16, Shape.of(3, 2), new byte[12], closed),
                    DecodeLimits.defaults());
        }

        @Test
        void baseThatEndsEarly() throws IOException {
            AtomicBoolean closed = new AtomicBoolean();
            assertRefused("base tensor ends inside chunk 1", sparse().bytes(),
                    lookup(DType.F32, PAIR.shape(), Arrays.copyOf(PAIR.base(), 10), closed),
                    DecodeLimits.defaults());
            assertTrue(closed.get(), "the base stream is closed");
        }

        @Test
        void theRightBaseUnderTheWrongIdGivesAnotherTensor() throws IOException {
            // The decoder trusts the lookup for the bytes; the target id is what catches a wrong base.
            byte[] otherBase = f32(1, 2, 3.5f, 4, 5, 7);
            byte[] decoded = new byte[otherBase.length];
            for (int i = 0; i < decoded.length; i++) {
                decoded[i] = (byte) (otherBase[i] ^ PAIR.base()[i] ^ PAIR.target()[i]);
            }
            TensorId got = TensorId.of(DType.F32, PAIR.shape(), decoded);
            assertRefused("decoded tensor is " + got + ", not " + PAIR.targetId() + " as the encoding declares",
                    xor().bytes(), lookup(DType.F32, PAIR.shape(), otherBase, new AtomicBoolean()),
                    DecodeLimits.defaults());
        }

        private BaseLookup lookup(DType dtype, Shape shape, byte[] bytes, AtomicBoolean closed) {
            return id -> Optional.of(new BaseTensor(dtype, shape, new ByteArrayInputStream(bytes) {
                @Override
                public void close() {
                    closed.set(true);
                }
            }));
        }
    }

    @Nested
    class Integrity {
        @Test
        void aFlippedByteInStoredPlanesFailsTheIdCheck() throws IOException {
            byte[] values = new byte[16];
            for (int i = 0; i < 16; i++) {
                values[i] = (byte) (i * 7);
            }
            TensorPair u8 = new TensorPair(DType.U8, Shape.of(4, 4), values, null);
            CraftedEncoding c = CraftedEncoding.of(u8.dense(chunks(1 << 20)));
            byte[] planes = c.section(0, SectionTag.PLANES).bytes().clone();
            planes[5] ^= 0x10;
            c.replace(0, SectionTag.PLANES, Sec.stored(SectionTag.PLANES, planes));
            // A U8 tensor's planes are its bytes.
            byte[] flipped = values.clone();
            flipped[5] ^= 0x10;
            assertRefused("decoded tensor is " + TensorId.of(DType.U8, Shape.of(4, 4), flipped) + ", not "
                    + u8.targetId() + " as the encoding declares", c.bytes(), BaseLookup.NONE,
                    DecodeLimits.defaults());
        }

        /**
         * The id is hashed from the bytes as they are handed out (not from each chunk once decoded), so every way of
         * reading must hash each byte once: read a byte at a time, in pieces that straddle chunks, skipped over, or
         * transferred, an intact tensor ends verified and one with a flipped byte in its last chunk fails at its end.
         */
        @Test
        void everyWayOfReadingChecksTheId() throws IOException {
            byte[] values = new byte[64];
            for (int i = 0; i < values.length; i++) {
                values[i] = (byte) (i * 13);
            }
            TensorPair u8 = new TensorPair(DType.U8, Shape.of(8, 8), values, null);
            byte[] intact = u8.dense(chunks(16));
            CraftedEncoding c = CraftedEncoding.of(intact);
            byte[] planes = c.section(3, SectionTag.PLANES).bytes().clone();
            planes[2] ^= 0x01;
            c.replace(3, SectionTag.PLANES, Sec.stored(SectionTag.PLANES, planes));
            byte[] flipped = values.clone();
            flipped[50] ^= 0x01;
            String mismatch = "decoded tensor is " + TensorId.of(DType.U8, Shape.of(8, 8), flipped) + ", not "
                    + u8.targetId() + " as the encoding declares";
            Map<String, ReadAll> ways = new LinkedHashMap<>();
            ways.put("a byte at a time", in -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (int b; (b = in.read()) >= 0; ) {
                    out.write(b);
                }
                return out.toByteArray();
            });
            ways.put("in pieces of 7 bytes", in -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] piece = new byte[7];
                for (int n; (n = in.read(piece, 0, piece.length)) >= 0; ) {
                    out.write(piece, 0, n);
                }
                return out.toByteArray();
            });
            ways.put("skipped", in -> {
                assertEquals(values.length, in.skip(1000));
                assertEquals(-1, in.read());
                return values;
            });
            ways.put("transferred", in -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return out.toByteArray();
            });
            for (Map.Entry<String, ReadAll> way : ways.entrySet()) {
                try (DecodingStream in = DecodingStream.open(new ByteArrayInputStream(intact), BaseLookup.NONE,
                        DecodeLimits.defaults())) {
                    assertArrayEquals(values, way.getValue().read(in), way.getKey());
                    assertEquals(u8.targetId(), in.verifiedId(), way.getKey());
                }
                try (DecodingStream in = DecodingStream.open(new ByteArrayInputStream(c.bytes()), BaseLookup.NONE,
                        DecodeLimits.defaults())) {
                    InvalidEncodingException e = assertThrows(InvalidEncodingException.class,
                            () -> way.getValue().read(in), way.getKey());
                    assertEquals(mismatch, e.getMessage(), way.getKey());
                }
            }
        }

        @Test
        void aTargetIdOfAnotherTensor() throws IOException {
            CraftedEncoding c = dense();
            c.target(PAIR.baseId());
            assertRefused("decoded tensor is " + PAIR.targetId() + ", not " + PAIR.baseId()
                    + " as the encoding declares", c);
        }
    }

    @Nested
    class Ends {
        @Test
        void bytesAfterTheEndMarker() throws IOException {
            CraftedEncoding c = dense();
            c.trailing = new byte[] {0};
            assertRefused("encoding has bytes after its end marker", c);
            c.trailing = "TEND".getBytes();
            assertRefused("encoding has bytes after its end marker", c);
        }

        @Test
        void aWrongOrMissingEndMarker() throws IOException {
            CraftedEncoding c = dense();
            c.end = "TENC".getBytes();
            assertRefused("encoding has no end marker after its last chunk", c);
            c.end = new byte[0];
            assertRefused("encoding ends inside the end marker (0 of 4 bytes)", c);
            c.end = "TEN".getBytes();
            assertRefused("encoding ends inside the end marker (3 of 4 bytes)", c);
        }

        @Test
        void everyTruncationOfEveryKindIsRefusedAsSuch() throws IOException {
            List<byte[]> encodings = new ArrayList<>();
            for (CraftedEncoding c : List.of(dense(), xor(), sparse(), ternary(), lowRank())) {
                encodings.add(c.bytes());
            }
            // And the encoders' own output, zstd sections included.
            encodings.add(PAIR.dense(chunks(8)));
            encodings.add(PAIR.lowRank(chunks(1 << 20), FACTORS));
            for (byte[] full : encodings) {
                assertArrayEquals(PAIR.target(), PAIR.decode(full));
                for (int length = 0; length < full.length; length++) {
                    byte[] prefix = Arrays.copyOf(full, length);
                    InvalidEncodingException e = assertThrows(InvalidEncodingException.class,
                            () -> PAIR.decode(prefix), "prefix of " + length + " bytes");
                    assertTrue(e.getMessage().startsWith("encoding ends inside "), e.getMessage());
                }
            }
        }
    }

    // ---------------------------------------------------------------- assertions

    /** One way of reading a decoded tensor to its end. */
    private interface ReadAll {
        byte[] read(InputStream in) throws IOException;
    }

    private static void assertRefused(String message, CraftedEncoding c) {
        assertRefused(message, c.bytes(), PAIR.bases(), DecodeLimits.defaults());
    }

    private static void assertRefused(String message, byte[] encoding) {
        assertRefused(message, encoding, PAIR.bases(), DecodeLimits.defaults());
    }

    private static void assertRefused(String message, byte[] encoding, BaseLookup bases, DecodeLimits limits) {
        assertRefused(message, encoding, bases, limits, null);
    }

    private static void assertRefused(String message, byte[] encoding, BaseLookup bases, DecodeLimits limits,
            String what) {
        InvalidEncodingException e = assertThrows(InvalidEncodingException.class,
                () -> TensorPair.decode(encoding, bases, limits), what);
        assertEquals(message, e.getMessage(), what);
    }

    /**
     * Refused (with the message, when given), and while refusing the decoder's thread allocated less than
     * {@code maxBytes} on the heap: nothing of the size the encoding declares.
     */
    private static InvalidEncodingException assertRefusedWithin(long maxBytes, String message, byte[] encoding,
            BaseLookup bases) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)
                ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Executable decode = () -> TensorPair.decode(encoding, bases, DecodeLimits.defaults());
        InvalidEncodingException e = assertThrows(InvalidEncodingException.class, decode);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        if (message != null) {
            assertEquals(message, e.getMessage());
        }
        assertTrue(allocated < maxBytes, "allocated " + allocated + " bytes refusing: " + e.getMessage());
        return e;
    }

    static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }
}
