package io.thetahost.client.delta;

import io.thetahost.codec.decode.BaseLookup;
import io.thetahost.codec.decode.BaseTensor;
import io.thetahost.codec.decode.TensorDecoder;
import io.thetahost.codec.encode.Encoder;
import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.LowRankDetector;
import io.thetahost.codec.encode.LowRankFactors;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.format.DecodeLimits;
import io.thetahost.codec.hints.LoraAdapter;
import io.thetahost.protocol.safetensors.TensorEntry;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import io.thetahost.client.checkpoint.Checkpoint;
import io.thetahost.client.hints.AdapterOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code theta delta BASE TARGET}: encodes every tensor of TARGET against the same-named tensor of BASE the way the
 * client would store and send it, decodes each encoding again, verifies every id, and reports what each took.
 */
@Command(name = "delta", mixinStandardHelpOptions = true,
        description = {"Encode every tensor of TARGET against the same-named tensor of BASE, decode it again, verify "
                + "every tensor id, and print per tensor the chosen encoding and its size, then totals.",
            "BASE may be '-' to encode TARGET on its own (dense)."})
public final class DeltaCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BASE", description = "The base checkpoint (.safetensors), or '-'.")
    String base;

    @Parameters(index = "1", paramLabel = "TARGET", description = "The target checkpoint (.safetensors).")
    Path target;

    @Mixin
    AdapterOption adapter;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Option(names = "--baselines",
            description = "Also compress TARGET's raw tensors, and their XOR with BASE, with zstd -19, to compare.")
    boolean baselines;

    @Option(names = "--no-detect", description = "Do not search for low rank (SVD) without an adapter.")
    boolean noDetect;

    @Option(names = "--chunk-mib", paramLabel = "N", defaultValue = "64",
            description = "Tensors larger than this are encoded and decoded in row chunks. Default: ${DEFAULT-VALUE}")
    int chunkMib;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1",
            description = "Encode and decode everything N times and report the median speed of the last half of the "
                    + "runs (a warm JVM). Default: ${DEFAULT-VALUE}")
    int repeat;

    @Option(names = "--level", paramLabel = "N", defaultValue = "1",
            description = "zstd level for the encodings' sections. Default: ${DEFAULT-VALUE}")
    int level;

    @Override
    public Integer call() throws IOException {
        Optional<Checkpoint> baseCheckpoint = base.equals("-") ? Optional.empty()
                : Optional.of(Checkpoint.open(Path.of(base)));
        Checkpoint targetCheckpoint = Checkpoint.open(target);
        Optional<LoraAdapter> lora = adapter.load();
        EncoderOptions options = new EncoderOptions((long) chunkMib << 20, level, Duration.ofSeconds(30));
        Encoder encoder = new Encoder(options, noDetect ? LowRankDetector.NONE : LowRankDetector.available());
        TensorDecoder decoder = new TensorDecoder(DecodeLimits.defaults());

        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat must be at least 1");
        }
        // The median of the warm half: one run of a small checkpoint lasts tens of milliseconds, so a collection
        // or a compilation landing in the last one moved the figure by half.
        List<DeltaReport> warm = new ArrayList<>();
        for (int run = 0; run < repeat; run++) {
            DeltaReport r = run(baseCheckpoint, targetCheckpoint, lora, encoder, decoder);
            if (run >= repeat / 2) {
                warm.add(r);
            }
        }
        DeltaReport report = DeltaReport.withMedianTimes(warm);
        if (baselines) {
            report.baselines(Baselines.zstd19Raw(targetCheckpoint),
                    Baselines.zstd19Xor(targetCheckpoint, baseCheckpoint));
        }
        if (json) {
            report.printJson(System.out);
        } else {
            report.printTable(System.out);
        }
        return report.verified() ? 0 : 1;
    }

    private DeltaReport run(Optional<Checkpoint> baseCheckpoint, Checkpoint targetCheckpoint,
            Optional<LoraAdapter> lora, Encoder encoder, TensorDecoder decoder) throws IOException {
        DeltaReport report = new DeltaReport(targetCheckpoint.fileSize());
        Map<String, TensorEntry> bases = baseCheckpoint.map(Checkpoint::tensors).orElse(Map.of());
        for (TensorEntry entry : targetCheckpoint.tensors().values()) {
            TensorInput t = targetCheckpoint.input(entry);
            TensorId id = Checkpoint.id(t);
            Optional<Encoder.Base> b = Optional.empty();
            TensorEntry baseEntry = bases.get(entry.name());
            if (baseEntry != null) {
                TensorInput bi = baseCheckpoint.get().input(baseEntry);
                b = Optional.of(new Encoder.Base(bi, Checkpoint.id(bi)));
            }
            if (b.isPresent() && b.get().id().equals(id)) {
                report.unchanged(entry);
                continue;
            }
            Optional<LowRankFactors> hint = AdapterOption.hint(lora, entry.name(), entry.shape(), t,
                    b.map(Encoder.Base::tensor).orElse(null));
            long t0 = System.nanoTime();
            try (Encoder.Result result = encoder.encode(t, id, b, hint)) {
                long t1 = System.nanoTime();
                boolean verified;
                try (InputStream in = result.encoding().open()) {
                    verified = decoder.decode(in, lookup(b), OutputStream.nullOutputStream()).equals(id);
                }
                long t2 = System.nanoTime();
                report.encoded(entry, result, verified, t1 - t0, t2 - t1, hint.isPresent());
            }
        }
        return report;
    }

    private static BaseLookup lookup(Optional<Encoder.Base> base) {
        return id -> {
            if (base.isEmpty() || !base.get().id().equals(id)) {
                return Optional.empty();
            }
            TensorInput b = base.get().tensor();
            return Optional.of(new BaseTensor(b.dtype(), b.shape(), b.open()));
        };
    }
}
