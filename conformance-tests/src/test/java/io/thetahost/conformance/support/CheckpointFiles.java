package io.thetahost.conformance.support;

import io.thetahost.protocol.safetensors.SafetensorsHeader;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.safetensors.TensorEntry;
import io.thetahost.protocol.safetensors.TensorSpec;
import io.thetahost.protocol.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Small safetensors files read whole, for tests that make checkpoint variants from the fixtures (one tensor changed,
 * two files in one) and compute what a checkpoint must hold.
 */
public final class CheckpointFiles {
    private final byte[] bytes;
    private final SafetensorsHeader header;
    private final long dataStart;

    private CheckpointFiles(byte[] bytes) throws IOException {
        this.bytes = bytes;
        long length = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        this.header = SafetensorsHeader.parse(Arrays.copyOfRange(bytes, 8, 8 + (int) length),
                SafetensorsLimits.defaults());
        this.dataStart = 8 + length;
    }

    public static CheckpointFiles read(Path file) {
        try {
            return of(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A checkpoint held in memory, for chaining changes without files. */
    public static CheckpointFiles of(byte[] bytes) {
        try {
            return new CheckpointFiles(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each value times {@code factor}, in float32. */
    public static float[] scaled(float[] values, float factor) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] * factor;
        }
        return out;
    }

    /** The whole file. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public SafetensorsHeader header() {
        return header;
    }

    /** The bytes of all tensors, the file less its header. */
    public long tensorBytes() {
        return header.tensors().stream().mapToLong(TensorEntry::size).sum();
    }

    public byte[] raw(String name) {
        TensorEntry e = header.tensor(name).orElseThrow(() -> new IllegalArgumentException("no tensor " + name));
        return Arrays.copyOfRange(bytes, (int) (dataStart + e.begin()), (int) (dataStart + e.end()));
    }

    public float[] floats(String name) {
        byte[] raw = raw(name);
        float[] out = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    /** This file with one F32 tensor's values replaced by {@code change} of them; the header stays as it was. */
    public byte[] withFloats(String name, UnaryOperator<float[]> change) {
        TensorEntry e = header.tensor(name).orElseThrow();
        if (e.dtype() != DType.F32) {
            throw new IllegalArgumentException(name + " is " + e.dtype());
        }
        float[] values = change.apply(floats(name));
        byte[] out = bytes.clone();
        ByteBuffer.wrap(out, (int) (dataStart + e.begin()), (int) e.size()).order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer().put(values);
        return out;
    }

    /** One tensor to write: its raw little-endian bytes. */
    public record Tensor(String name, DType dtype, long[] shape, byte[] raw) {
    }

    /** A safetensors file of these tensors, its header written as Python's safetensors writes one. */
    public static byte[] write(List<Tensor> tensors) {
        Map<String, byte[]> data = new LinkedHashMap<>();
        List<TensorSpec> specs = new ArrayList<>();
        for (Tensor t : tensors) {
            specs.add(new TensorSpec(t.name(), t.dtype(), io.thetahost.protocol.tensor.Shape.of(t.shape())));
            data.put(t.name(), t.raw());
        }
        return write(null, specs, data);
    }

    private static byte[] write(Map<String, String> metadata, List<TensorSpec> specs, Map<String, byte[]> data) {
        try {
            SafetensorsHeader h = SafetensorsHeader.build(metadata, specs);
            ByteBuffer out = ByteBuffer.allocate((int) (8 + h.length() + h.dataLength())).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(h.length()).put(h.bytes());
            for (TensorEntry e : h.tensors()) {
                out.put(data.get(e.name()));
            }
            return out.array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Floats as raw F32 bytes. */
    public static byte[] f32(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    /** A file with the tensors of both, in a header written as Python's safetensors writes one. */
    public static byte[] combine(CheckpointFiles a, CheckpointFiles b) {
        Map<String, byte[]> data = new LinkedHashMap<>();
        List<TensorSpec> specs = new ArrayList<>();
        for (CheckpointFiles f : List.of(a, b)) {
            for (TensorEntry e : f.header.tensors()) {
                specs.add(TensorSpec.of(e));
                data.put(e.name(), f.raw(e.name()));
            }
        }
        return write(a.header.hasMetadata() ? a.header.metadata() : null, specs, data);
    }
}
