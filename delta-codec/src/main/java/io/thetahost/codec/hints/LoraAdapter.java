package io.thetahost.codec.hints;

import io.thetahost.codec.encode.LowRankFactors;
import io.thetahost.codec.numeric.Elements;
import io.thetahost.codec.numeric.FloatElements;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A LoRA adapter as peft saves it ({@code <module>.lora_A[.<adapter>].weight}, r x in, and
 * {@code <module>.lora_B[.<adapter>].weight}, out x r, optionally under {@code base_model.model.}), turned into the
 * canonical factors of the update it makes to {@code <module>.weight}: B' (m x r) with the scale folded in, and A'
 * (r x n). For a module stored out x in (torch Linear) B' = scale * lora_B and A' = lora_A; for one stored in x out
 * (GPT-2's Conv1D, peft's {@code fan_in_fan_out}) B' = scale * lora_A^T and A' = lora_B^T.
 */
public final class LoraAdapter {
    private static final Pattern FACTOR = Pattern.compile("^(?:base_model\\.model\\.)?(.+)\\.lora_([AB])(?:\\.[^.]+)?\\.weight$");

    /** One adapter tensor as it is stored. */
    public record Tensor(DType dtype, Shape shape, byte[] raw) {
    }

    private record Pair(Tensor a, Tensor b) {
    }

    private final Map<String, Pair> modules;
    private final AdapterSettings settings;

    private LoraAdapter(Map<String, Pair> modules, AdapterSettings settings) {
        this.modules = modules;
        this.settings = settings;
    }

    /**
     * @param tensors the adapter file's tensors by name; tensors that are not LoRA factors are ignored
     * @throws IllegalArgumentException for a module with only one factor, factors of different ranks, or a dtype the
     *     codec cannot read as float
     */
    public static LoraAdapter of(Map<String, Tensor> tensors, AdapterSettings settings) {
        Map<String, Tensor[]> found = new HashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Matcher m = FACTOR.matcher(e.getKey());
            if (!m.matches()) {
                continue;
            }
            Tensor t = e.getValue();
            if (t.shape().rank() != 2 || FloatElements.of(t.dtype()).isEmpty()) {
                throw new IllegalArgumentException("LoRA factor " + e.getKey() + " is a " + t.dtype().formatName() + " "
                        + t.shape() + " tensor; expected a float matrix");
            }
            found.computeIfAbsent(m.group(1), k -> new Tensor[2])[m.group(2).equals("A") ? 0 : 1] = t;
        }
        Map<String, Pair> modules = new HashMap<>();
        for (Map.Entry<String, Tensor[]> e : found.entrySet()) {
            Tensor a = e.getValue()[0];
            Tensor b = e.getValue()[1];
            if (a == null || b == null) {
                throw new IllegalArgumentException("LoRA module " + e.getKey() + " has only its lora_"
                        + (a == null ? "B" : "A") + " factor");
            }
            if (a.shape().dim(0) != b.shape().dim(1)) {
                throw new IllegalArgumentException("LoRA module " + e.getKey() + ": lora_A " + a.shape()
                        + " and lora_B " + b.shape() + " have different ranks");
            }
            modules.put(e.getKey(), new Pair(a, b));
        }
        return new LoraAdapter(modules, settings);
    }

    public int modules() {
        return modules.size();
    }

    /**
     * The canonical factors of the update this adapter makes to a checkpoint tensor, when it makes one.
     *
     * @param tensorName the checkpoint's name, {@code <module>.weight}
     * @param update a sample of f32(target) - f32(base), read only when the scale or orientation must be inferred
     */
    public Optional<LowRankFactors> factorsFor(String tensorName, Shape shape, UpdateSampler update)
            throws java.io.IOException {
        if (!tensorName.endsWith(".weight") || shape.rank() != 2) {
            return Optional.empty();
        }
        Pair p = modules.get(tensorName.substring(0, tensorName.length() - ".weight".length()));
        if (p == null) {
            return Optional.empty();
        }
        int rank = (int) p.a().shape().dim(0);
        int in = (int) p.a().shape().dim(1);
        int out = (int) p.b().shape().dim(0);
        long m = shape.dim(0);
        long n = shape.dim(1);
        boolean linear = m == out && n == in;
        boolean transposed = m == in && n == out;
        if (!linear && !transposed) {
            throw new IllegalArgumentException("LoRA factors of " + tensorName + " (lora_A " + p.a().shape()
                    + ", lora_B " + p.b().shape() + ") do not fit its shape " + shape);
        }
        if (linear && transposed) {
            Boolean fanInFanOut = settings.fanInFanOut();
            transposed = fanInFanOut != null ? fanInFanOut : update.sample().prefersTransposed(
                    canonical(p, false, 1f), canonical(p, true, 1f));
        }
        float scale = settings.scale() != null ? settings.scale()
                : update.sample().fitScale(canonical(p, transposed, 1f));
        return Optional.of(canonical(p, transposed, scale));
    }

    /** This adapter, with settings it lacks taken from {@code defaults}. */
    public LoraAdapter withDefaults(AdapterSettings defaults) {
        return new LoraAdapter(modules, defaults.overriddenBy(settings));
    }

    /**
     * Whether the adapted weights are stored in x out (fan_in_fan_out), as told by the weights of a checkpoint that
     * are not square (a square one fits either way); empty when none tells or they disagree.
     *
     * @param shapes the checkpoint's tensors' shapes by name
     */
    public Optional<Boolean> orientationFromShapes(Map<String, Shape> shapes) {
        Boolean seen = null;
        for (Map.Entry<String, Pair> e : modules.entrySet()) {
            Shape shape = shapes.get(e.getKey() + ".weight");
            if (shape == null || shape.rank() != 2 || shape.dim(0) == shape.dim(1)) {
                continue;
            }
            long in = e.getValue().a().shape().dim(1);
            long out = e.getValue().b().shape().dim(0);
            boolean transposed = shape.dim(0) == in && shape.dim(1) == out;
            boolean linear = shape.dim(0) == out && shape.dim(1) == in;
            if (transposed == linear || (seen != null && seen != transposed)) {
                return Optional.empty();
            }
            seen = transposed;
        }
        return Optional.ofNullable(seen);
    }

    /** Reads the update's sample when, and only when, it is needed. */
    public interface UpdateSampler {
        UpdateSample sample() throws java.io.IOException;
    }

    private static LowRankFactors canonical(Pair p, boolean transposed, float scale) {
        int rank = (int) p.a().shape().dim(0);
        int in = (int) p.a().shape().dim(1);
        int out = (int) p.b().shape().dim(0);
        float[] a = floats(p.a());
        float[] b = floats(p.b());
        if (!transposed) {
            float[] bScaled = new float[out * rank];
            for (int i = 0; i < bScaled.length; i++) {
                bScaled[i] = scale * b[i];
            }
            return new LowRankFactors(rank, out, in, bScaled, a);
        }
        float[] bPrime = new float[in * rank];
        for (int i = 0; i < in; i++) {
            for (int k = 0; k < rank; k++) {
                bPrime[i * rank + k] = scale * a[k * in + i];
            }
        }
        float[] aPrime = new float[rank * out];
        for (int k = 0; k < rank; k++) {
            for (int j = 0; j < out; j++) {
                aPrime[k * out + j] = b[j * rank + k];
            }
        }
        return new LowRankFactors(rank, in, out, bPrime, aPrime);
    }

    private static float[] floats(Tensor t) {
        FloatElements f = FloatElements.of(t.dtype()).orElseThrow();
        int width = t.dtype().byteSize();
        float[] out = new float[t.raw().length / width];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.toFloat(Elements.get(t.raw(), i, width));
        }
        return out;
    }
}
