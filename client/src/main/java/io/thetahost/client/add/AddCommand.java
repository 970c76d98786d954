package io.thetahost.client.add;

import io.thetahost.client.checkpoint.Checkpoint;
import io.thetahost.client.hints.AdapterOption;
import io.thetahost.client.progress.Progress;
import io.thetahost.client.repository.CommittedCheckpoint;
import io.thetahost.client.repository.ThetaRepository;
import io.thetahost.client.store.LocalStore;
import io.thetahost.codec.encode.LowRankFactors;
import io.thetahost.codec.hints.AdapterSettings;
import io.thetahost.codec.hints.LoraAdapter;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.safetensors.TensorEntry;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code theta add CHECKPOINT --update KIND ...}: writes into the work tree the checkpoint that the canonical apply of
 * an update to the committed checkpoint makes, stores each changed tensor as that update (a patch with no residual),
 * and stages the file, so the push sends the update and nothing else. The update is a LoRA adapter
 * ({@code low-rank}), a delta file ({@code sparse}) or a mask file ({@code sparse-ternary}).
 */
@Command(name = "add", mixinStandardHelpOptions = true,
        description = "Apply an update to the committed CHECKPOINT, write the result and stage it; the push then "
                + "sends the update, not the tensors.")
public final class AddCommand implements Callable<Integer> {
    /** The kinds of update {@code --update} names. */
    enum UpdateKind {
        LOW_RANK("low-rank"), SPARSE("sparse"), SPARSE_TERNARY("sparse-ternary");

        final String option;

        UpdateKind(String option) {
            this.option = option;
        }

        static UpdateKind parse(String text) {
            for (UpdateKind k : values()) {
                if (k.option.equals(text)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown update kind '" + text
                    + "' (expected low-rank, sparse or sparse-ternary)");
        }
    }

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "The tracked checkpoint, as committed at HEAD.")
    Path checkpoint;

    @Option(names = "--update", paramLabel = "KIND", required = true,
            description = "low-rank (with --adapter), sparse (with --delta) or sparse-ternary (with --mask and "
                    + "--scale)")
    String update;

    @Option(names = "--delta", paramLabel = "FILE",
            description = "For sparse: a safetensors file of deltas named like the checkpoint's tensors (their dtype "
                    + "and shape, zero where nothing changes); each changed element is base + delta.")
    Path delta;

    @Option(names = "--mask", paramLabel = "FILE",
            description = "For sparse-ternary: a safetensors file of I8 masks (-1, 0, +1) named like the checkpoint's "
                    + "tensors; each element is base + scale x mask.")
    Path mask;

    @Mixin
    AdapterOption adapter;

    @Override
    public Integer call() throws IOException {
        UpdateKind kind = UpdateKind.parse(update);
        ThetaRepository repo = ThetaRepository.here();
        CommittedCheckpoint committed = CommittedCheckpoint.at(repo, checkpoint, "HEAD");
        Manifest base = committed.manifest();
        Updater updater = switch (kind) {
            case LOW_RANK -> lowRank(base);
            case SPARSE -> elementwise(ElementwiseUpdate.Kind.SPARSE, base, required(delta, "--delta FILE"), 0f);
            case SPARSE_TERNARY -> elementwise(ElementwiseUpdate.Kind.SPARSE_TERNARY, base,
                    required(mask, "--mask FILE"), adapter.scale().orElseThrow(() -> new IllegalArgumentException(
                            "--update sparse-ternary needs --scale S, the magnitude of each change")));
        };
        Progress progress = Progress.on(System.err);
        int changed = 0;
        try (LocalStore local = repo.openStore()) {
            repo.fetchMissing(base, name -> true, local, committed.path(), progress);
            List<TensorId> ids = new ArrayList<>();
            for (ManifestTensor t : base.tensors()) {
                progress.update("theta: applying the update to " + committed.path() + ": " + (ids.size() + 1) + "/"
                        + base.tensors().size());
                TensorId id = updater.apply(local, t).orElse(t.id());
                ids.add(id);
                if (!id.equals(t.id())) {
                    changed++;
                }
            }
            if (changed == 0) {
                throw new IllegalArgumentException("the update changes none of the tensors of " + committed.path());
            }
            Manifest result = Manifest.of(base.header(), ids, base.gaps());
            local.parameters().record(result);
            local.assemble(result, committed.file());
        }
        progress.done("theta: applied the " + updater.describe() + " to " + changed + " of " + base.tensors().size()
                + " tensors of " + committed.path());
        // The store is closed: git add runs the filter process, which opens it.
        repo.git().output("add", "--", committed.path());
        System.out.println("theta: staged " + committed.path() + "; the push sends the update, not the tensors");
        return 0;
    }

    /** An update: the new tensor for a parameter, stored as a patch of it, or empty when it leaves it alone. */
    private interface Updater {
        Optional<TensorId> apply(LocalStore local, ManifestTensor t) throws IOException;

        String describe();
    }

    private Updater lowRank(Manifest base) throws IOException {
        LoraAdapter loaded = adapter.load().orElseThrow(() -> new IllegalArgumentException(
                "--update low-rank needs --adapter ADAPTER"));
        Map<String, Shape> shapes = new LinkedHashMap<>();
        base.tensors().forEach(t -> shapes.put(t.name(), t.shape()));
        LoraAdapter lora = loaded.withDefaults(new AdapterSettings(null,
                loaded.orientationFromShapes(shapes).orElse(null)));
        int[] rank = {0};
        return new Updater() {
            @Override
            public Optional<TensorId> apply(LocalStore local, ManifestTensor t) throws IOException {
                Optional<LowRankFactors> factors = lora.factorsFor(t.name(), t.shape(), () -> {
                    throw new IOException("cannot tell the scale (or orientation) of the update to " + t.name()
                            + " from the adapter alone: give --scale S (lora_alpha / r) and --fan-in-fan-out, or "
                            + "put peft's adapter_config.json beside the adapter");
                });
                if (factors.isEmpty()) {
                    return Optional.empty();
                }
                rank[0] = factors.get().rank();
                return Optional.of(new LowRankUpdate(local).apply(t, factors.get()));
            }

            @Override
            public String describe() {
                return "rank-" + rank[0] + " update";
            }
        };
    }

    /** A delta or mask file's update, checked whole against the checkpoint before anything is applied. */
    private static Updater elementwise(ElementwiseUpdate.Kind kind, Manifest base, Path file, float magnitude)
            throws IOException {
        Checkpoint updates = Checkpoint.open(file);
        Map<String, ManifestTensor> byName = new LinkedHashMap<>();
        base.tensors().forEach(t -> byName.put(t.name(), t));
        for (TensorEntry e : updates.tensors().values()) {
            ManifestTensor t = byName.get(e.name());
            if (t == null) {
                throw new IllegalArgumentException(file + " has " + e.name() + ", which the checkpoint does not");
            }
            String misfit = ElementwiseUpdate.misfit(kind, t, e.dtype(), e.shape());
            if (misfit != null) {
                throw new IllegalArgumentException(file + ": " + e.name() + ": " + misfit);
            }
        }
        return new Updater() {
            @Override
            public Optional<TensorId> apply(LocalStore local, ManifestTensor t) throws IOException {
                TensorEntry e = updates.tensors().get(t.name());
                return e == null ? Optional.empty()
                        : Optional.of(new ElementwiseUpdate(local).apply(kind, t, updates.input(e), magnitude));
            }

            @Override
            public String describe() {
                return kind == ElementwiseUpdate.Kind.SPARSE ? "sparse update" : "sparse-ternary update";
            }
        };
    }

    private static Path required(Path file, String option) {
        if (file == null) {
            throw new IllegalArgumentException("this --update needs " + option);
        }
        return file;
    }
}
