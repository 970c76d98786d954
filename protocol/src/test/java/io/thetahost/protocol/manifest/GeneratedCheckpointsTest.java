package io.thetahost.protocol.manifest;

import static io.thetahost.protocol.Fixtures.file;
import static io.thetahost.protocol.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thetahost.protocol.safetensors.GapBytes;
import io.thetahost.protocol.safetensors.SafetensorsHeader;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.safetensors.SafetensorsWriter;
import io.thetahost.protocol.safetensors.TensorEntry;
import io.thetahost.protocol.safetensors.TensorSpec;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Files written here, of every dtype and odd shape and name, round-trip byte for byte through a manifest. */
class GeneratedCheckpointsTest {
    private static final SafetensorsLimits DEFAULTS = SafetensorsLimits.defaults();

    @Test
    void everyDtypeWithEmptyAndScalarTensorsAndUnicode() throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        for (DType t : DType.values()) {
            String n = t.formatName();
            specs.add(new TensorSpec("m." + n, t, Shape.of(3, 4)));
            specs.add(new TensorSpec("empty." + n, t, Shape.of(0, 5)));
            specs.add(new TensorSpec("v." + n, t, Shape.of(4)));
            if (t.isByteAligned()) {
                specs.add(new TensorSpec("scalar." + n, t, Shape.of()));
            }
        }
        specs.add(new TensorSpec("quote\"d \\ back'slash", DType.F32, Shape.of(2)));
        specs.add(new TensorSpec("ctrl\u0001\n\t", DType.F16, Shape.of(1)));
        specs.add(new TensorSpec("\u00fcn\u00ef\u00e7\u00f8d\u00e9/\u540d\u524d/\ud83d\ude00", DType.BF16,
                Shape.of(2, 2)));
        specs.add(new TensorSpec("", DType.U8, Shape.of(1)));
        specs.add(new TensorSpec("high.dims", DType.I8, Shape.of(1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2)));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("\u8a00\u8a9e", "\u65e5\u672c\u8a9e \ud83e\udd16 \"quoted\"\nnew line");
        metadata.put("empty", "");
        metadata.put("back\\slash", "\u0000\u001f");

        roundTrip(SafetensorsHeader.build(metadata, specs), new Random(1));
    }

    @Test
    void identicalTensorsShareOneIdAndStillRoundTrip() throws IOException {
        SafetensorsHeader h = SafetensorsHeader.build(null, List.of(new TensorSpec("a", DType.F32, Shape.of(4)),
                new TensorSpec("b", DType.F32, Shape.of(4)), new TensorSpec("c", DType.F32, Shape.of(2, 2))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafetensorsWriter w = new SafetensorsWriter(out, h);
        for (TensorEntry e : h.tensors()) {
            w.writeTensor(e, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        }
        w.finish();
        TensorMap store = new TensorMap();
        Manifest m = Checkpoints.split(new ByteArrayInputStream(out.toByteArray()), DEFAULTS, store.sink());

        assertEquals(m.tensors().get(0).id(), m.tensors().get(1).id());
        assertEquals(2, store.tensors.size(), "c has another shape, so another id");
        assertArrayEquals(out.toByteArray(), assemble(m, store));
    }

    @Test
    void aHandWrittenHeaderWithGapsWhitespaceAndEscapesRoundTrips() throws IOException {
        byte[] header = utf8("{\n  \"b\\u00e9\" : {\"shape\": [2], \"data_offsets\": [7, 15], \"dtype\": \"F32\"},\n"
                + "  \"__metadata__\": {\"k\": \"v\\/\"},\n"
                + "  \"a\": {\"dtype\": \"U8\", \"shape\": [3], \"data_offsets\": [2, 5]}\n}          ");
        byte[] data = new byte[20];
        new Random(2).nextBytes(data);
        byte[] original = file(header, data);
        TensorMap store = new TensorMap();

        Manifest m = Checkpoints.split(new ByteArrayInputStream(original), DEFAULTS, store.sink());

        assertEquals(List.of(new GapBytes(0, new byte[] {data[0], data[1]}),
                new GapBytes(5, new byte[] {data[5], data[6]}),
                new GapBytes(15, new byte[] {data[15], data[16], data[17], data[18], data[19]})), m.gaps());
        assertEquals(List.of("a", "b\u00e9"), m.tensors().stream().map(ManifestTensor::name).toList());
        assertArrayEquals(original, assemble(m, store));
        Manifest read = ManifestFormat.read(ManifestFormat.write(m));
        assertEquals(m, read);
        assertArrayEquals(original, assemble(read, store));
    }

    @Test
    void randomLayoutsRoundTrip() throws IOException {
        Random random = new Random(3);
        DType[] types = DType.values();
        for (int c = 0; c < 200; c++) {
            List<TensorSpec> specs = new ArrayList<>();
            int count = random.nextInt(6);
            for (int i = 0; i < count; i++) {
                DType t = types[random.nextInt(types.length)];
                long[] dims = new long[random.nextInt(4)];
                for (int d = 0; d < dims.length; d++) {
                    dims[d] = random.nextInt(5) * (t.isByteAligned() ? 1 : 4);
                }
                if (!t.isByteAligned() && dims.length == 0) {
                    dims = new long[] {4};
                }
                specs.add(new TensorSpec("t" + i + "\u00b7" + random.nextInt(1000), t, Shape.of(dims)));
            }
            roundTrip(SafetensorsHeader.build(random.nextBoolean() ? null : Map.of("c", "" + c), specs), random);
        }
    }

    /** Writes the file with random tensor bytes, splits it, assembles it, and checks every step. */
    private static void roundTrip(SafetensorsHeader header, Random random) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafetensorsWriter w = new SafetensorsWriter(out, header);
        for (TensorEntry e : header.tensors()) {
            byte[] value = new byte[(int) e.size()];
            random.nextBytes(value);
            w.writeTensor(e, value);
        }
        w.finish();
        byte[] original = out.toByteArray();
        TensorMap store = new TensorMap();

        Manifest m = Checkpoints.split(new ByteArrayInputStream(original), DEFAULTS, store.sink());
        byte[] manifestBytes = ManifestFormat.write(m);
        Manifest again = Checkpoints.split(new ByteArrayInputStream(original), DEFAULTS, TensorSink.DISCARD);

        assertArrayEquals(original, assemble(m, store));
        assertArrayEquals(manifestBytes, ManifestFormat.write(again));
        Manifest read = ManifestFormat.read(manifestBytes);
        assertEquals(m, read);
        assertArrayEquals(original, assemble(read, store));
    }

    private static byte[] assemble(Manifest m, TensorMap store) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Checkpoints.assemble(m, store.source(), out);
        return out.toByteArray();
    }
}
