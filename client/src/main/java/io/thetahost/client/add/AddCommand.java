package io.thetahost.client.add;

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
 * {@code theta add CHECKPOINT --update low-rank --adapter ADAPTER}: writes into the work tree the checkpoint that the
 * canonical apply of an update to the committed checkpoint makes, stores each changed tensor as that update (a patch
 * with no residual), and stages the file, so the push sends the update and nothing else.
 */
@Command(name = "add", mixinStandardHelpOptions = true,
        description = "Apply an update (a LoRA adapter) to the committed CHECKPOINT, write the result and stage it; "
                + "the push then sends the update, not the tensors.")
public final class AddCommand implements Callable<Integer> {
    /** The kinds of update {@code --update} names. */
    enum UpdateKind {
        LOW_RANK("low-rank");

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
            throw new IllegalArgumentException("unknown update kind '" + text + "' (expected low-rank)");
        }
    }

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "The tracked checkpoint, as committed at HEAD.")
    Path checkpoint;

    @Option(names = "--update", paramLabel = "KIND", required = true, description = "low-rank")
    String update;

    @Mixin
    AdapterOption adapter;

    @Override
    public Integer call() throws IOException {
        UpdateKind kind = UpdateKind.parse(update);
        ThetaRepository repo = ThetaRepository.here();
        CommittedCheckpoint committed = CommittedCheckpoint.at(repo, checkpoint, "HEAD");
        Manifest base = committed.manifest();
        LoraAdapter lora = adapter.load().orElseThrow(() -> new IllegalArgumentException(
                "--update " + kind.option + " needs --adapter ADAPTER"));
        Map<String, Shape> shapes = new LinkedHashMap<>();
        base.tensors().forEach(t -> shapes.put(t.name(), t.shape()));
        lora = lora.withDefaults(new AdapterSettings(null, lora.orientationFromShapes(shapes).orElse(null)));
        Progress progress = Progress.on(System.err);
        int changed = 0;
        int rank = 0;
        try (LocalStore local = repo.openStore()) {
            repo.fetchMissing(base, name -> true, local, committed.path(), progress);
            LowRankUpdate apply = new LowRankUpdate(local);
            List<TensorId> ids = new ArrayList<>();
            for (ManifestTensor t : base.tensors()) {
                progress.update("theta: applying the adapter to " + committed.path() + ": " + (ids.size() + 1) + "/"
                        + base.tensors().size());
                Optional<LowRankFactors> factors = lora.factorsFor(t.name(), t.shape(), () -> {
                    throw new IOException("cannot tell the scale (or orientation) of the update to " + t.name()
                            + " from the adapter alone: give --scale S (lora_alpha / r) and --fan-in-fan-out, or "
                            + "put peft's adapter_config.json beside the adapter");
                });
                if (factors.isEmpty()) {
                    ids.add(t.id());
                    continue;
                }
                ids.add(apply.apply(t, factors.get()));
                changed++;
                rank = factors.get().rank();
            }
            if (changed == 0) {
                throw new IllegalArgumentException("the adapter updates none of the tensors of " + committed.path()
                        + " (its modules' names do not match the checkpoint's)");
            }
            Manifest result = Manifest.of(base.header(), ids, base.gaps());
            local.parameters().record(result);
            local.assemble(result, committed.file());
        }
        progress.done("theta: applied the rank-" + rank + " update to " + changed + " of " + base.tensors().size()
                + " tensors of " + committed.path());
        // The store is closed: git add runs the filter process, which opens it.
        repo.git().output("add", "--", committed.path());
        System.out.println("theta: staged " + committed.path() + "; the push sends the update, not the tensors");
        return 0;
    }
}
