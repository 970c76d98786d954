package io.thetahost.client.hints;

import io.thetahost.client.checkpoint.Checkpoint;
import io.thetahost.codec.encode.LowRankFactors;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.hints.AdapterSettings;
import io.thetahost.codec.hints.LoraAdapter;
import io.thetahost.codec.hints.UpdateSample;
import io.thetahost.protocol.safetensors.TensorEntry;
import io.thetahost.protocol.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --adapter} options: a peft LoRA adapter whose factors the encoders try as low-rank patches. */
public final class AdapterOption {
    @Option(names = "--adapter", paramLabel = "ADAPTER",
            description = "A LoRA adapter as peft saves it (adapter_model.safetensors) that made the checkpoint "
                    + "from its base; its factors are tried as low-rank encodings. adapter_config.json beside it is "
                    + "read if there.")
    Path adapter;

    @Option(names = "--scale", paramLabel = "S",
            description = "The adapter's scale (lora_alpha / r), if not in adapter_config.json (inferred otherwise); "
                    + "for theta add --update sparse-ternary, the magnitude of each change.")
    Float scale;

    @Option(names = "--fan-in-fan-out", paramLabel = "BOOL", arity = "1",
            description = "Whether the adapted weights are stored in x out (GPT-2 Conv1D); inferred otherwise.")
    Boolean fanInFanOut;

    /** {@code --scale}, when given: the adapter's scale, or a sparse-ternary update's magnitude. */
    public Optional<Float> scale() {
        return Optional.ofNullable(scale);
    }

    /** The adapter, when one was given. */
    public Optional<LoraAdapter> load() throws IOException {
        if (adapter == null) {
            return Optional.empty();
        }
        Checkpoint a = Checkpoint.open(adapter);
        Map<String, LoraAdapter.Tensor> tensors = new LinkedHashMap<>();
        for (TensorEntry e : a.tensors().values()) {
            tensors.put(e.name(), new LoraAdapter.Tensor(e.dtype(), e.shape(), a.bytes(e)));
        }
        AdapterSettings settings = AdapterSettings.unknown();
        Path config = adapter.resolveSibling("adapter_config.json");
        if (Files.isRegularFile(config)) {
            settings = AdapterSettings.parseConfig(Files.readAllBytes(config));
        }
        settings = settings.overriddenBy(new AdapterSettings(scale, fanInFanOut));
        LoraAdapter lora = LoraAdapter.of(tensors, settings);
        if (lora.modules() == 0) {
            throw new IllegalArgumentException(adapter + " holds no LoRA factors (no *.lora_A.*.weight tensors)");
        }
        return Optional.of(lora);
    }

    /** The adapter's factors for a tensor whose base is of the same dtype and shape, if it adapts that tensor. */
    public static Optional<LowRankFactors> hint(Optional<LoraAdapter> lora, String name, Shape shape,
            TensorInput target, TensorInput base) throws IOException {
        if (lora.isEmpty() || base == null || base.dtype() != target.dtype() || !base.shape().equals(target.shape())) {
            return Optional.empty();
        }
        return lora.get().factorsFor(name, shape, () -> UpdateSample.of(target, base));
    }
}
