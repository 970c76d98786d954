package io.thetahost.client.merge;

import io.thetahost.client.Main;
import io.thetahost.client.progress.Progress;
import io.thetahost.client.repository.ThetaRepository;
import io.thetahost.client.store.LocalStore;
import io.thetahost.codec.encode.KindEncoders;
import io.thetahost.codec.encode.SpillBuffer;
import io.thetahost.codec.merge.MergeAnalysis;
import io.thetahost.codec.merge.WeightedAverage;
import io.thetahost.protocol.manifest.DeclaredMerge;
import io.thetahost.protocol.manifest.InvalidManifestException;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.tensor.TensorId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code theta merge-driver %O %A %B %P}: git's merge driver for checkpoints ({@code merge.theta.driver}). The three
 * files hold manifests; the merged manifest is written over %A. Exit 0 is a clean merge, 1 a conflict git leaves for
 * the person, with what conflicts said on stderr.
 */
@Command(name = "merge-driver", hidden = true, description = "git's merge driver (theta install); not for people.")
public final class MergeDriverCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BASE")
    Path base;

    @Parameters(index = "1", paramLabel = "OURS")
    Path ours;

    @Parameters(index = "2", paramLabel = "THEIRS")
    Path theirs;

    @Parameters(index = "3", paramLabel = "PATH")
    String path;

    @Override
    public Integer call() throws IOException {
        PrintStream err = System.err;
        Manifest o;
        Manifest a;
        Manifest b;
        try {
            o = read(base, "the merge base");
            a = read(ours, "ours");
            b = read(theirs, "theirs");
        } catch (InvalidManifestException e) {
            err.println("theta: cannot merge " + path + ": " + e.getMessage());
            return Main.FAILED;
        }
        MergeAnalysis.Analysis analysis = MergeAnalysis.analyze(o, a, b);
        analysis.notes().forEach(n -> err.println("theta: " + path + ": " + n));
        if (!analysis.problems().isEmpty()) {
            analysis.problems().forEach(p -> err.println("theta: CONFLICT in " + path + ": " + p));
            return Main.FAILED;
        }
        ThetaRepository repo = ThetaRepository.here();
        Map<String, MergeStrategy> chosen = new LinkedHashMap<>();
        if (!analysis.conflicts().isEmpty()) {
            Optional<MergeStrategy> strategy = configured(repo);
            for (MergeAnalysis.Conflict c : analysis.conflicts()) {
                Optional<MergeStrategy> s = strategy.isPresent() ? strategy : Prompt.ask(c, path);
                if (s.isEmpty()) {
                    err.println("theta: CONFLICT in " + path + ": " + analysis.conflicts().size()
                            + " parameter(s) changed on both sides: " + analysis.conflicts().stream()
                            .map(MergeAnalysis.Conflict::name).collect(Collectors.joining(", ")));
                    err.println("theta: choose how with git config " + MergeStrategy.CONFIG + " or "
                            + MergeStrategy.ENVIRONMENT + " (" + MergeStrategy.FORMS
                            + ") and merge again, or merge in a terminal to be asked");
                    return Main.FAILED;
                }
                chosen.put(c.name(), s.get());
            }
        }
        Map<String, TensorId> resolved = new LinkedHashMap<>();
        List<DeclaredMerge> declared = new ArrayList<>();
        int averaged = 0;
        try (LocalStore local = repo.openStore()) {
            Progress progress = Progress.on(err);
            Set<String> computed = chosen.entrySet().stream().filter(e -> e.getValue().isComputed())
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
            if (!computed.isEmpty()) {
                repo.fetchMissing(a, computed::contains, local, path + " (ours)", progress);
                repo.fetchMissing(b, computed::contains, local, path + " (theirs)", progress);
            }
            for (MergeAnalysis.Conflict c : analysis.conflicts()) {
                MergeStrategy s = chosen.get(c.name());
                TensorId x = c.ours().id();
                TensorId y = c.theirs().id();
                if (s.weight() == 1f) {
                    resolved.put(c.name(), x);
                    declared.add(DeclaredMerge.ours(c.name(), x, y));
                } else if (s.weight() == 0f) {
                    resolved.put(c.name(), y);
                    declared.add(DeclaredMerge.theirs(c.name(), x, y));
                } else {
                    resolved.put(c.name(), average(local, c, s.weight()));
                    declared.add(DeclaredMerge.weighted(c.name(), x, y, s.weight()));
                    averaged++;
                }
                err.println("theta: " + path + ": " + c.name() + " changed on both sides: " + s.name()
                        + (s.name().equals("weighted") ? " " + s.weight() : ""));
            }
            Manifest merged = analysis.result(resolved);
            if (!declared.isEmpty()) {
                merged = merged.withMerges(declared);
            }
            local.parameters().record(merged);
            Files.write(ours, ManifestFormat.write(merged));
        }
        err.println("theta: merged " + path + ": " + analysis.fromOurs() + " parameter(s) from ours, "
                + analysis.fromTheirs() + " from theirs, " + analysis.conflicts().size() + " changed on both sides ("
                + averaged + " averaged)");
        return 0;
    }

    private static Manifest read(Path file, String which) throws IOException, InvalidManifestException {
        try {
            return ManifestFormat.read(Files.readAllBytes(file));
        } catch (InvalidManifestException e) {
            throw new InvalidManifestException(which + " is not a theta manifest (" + e.getMessage() + ")");
        }
    }

    /** The strategy from THETA_MERGE_STRATEGY, else git config theta.mergeStrategy; empty to ask. */
    private static Optional<MergeStrategy> configured(ThetaRepository repo) throws IOException {
        String env = System.getenv(MergeStrategy.ENVIRONMENT);
        if (env != null && !env.isBlank()) {
            return Optional.of(MergeStrategy.parse(env, MergeStrategy.ENVIRONMENT));
        }
        Optional<String> config = repo.git().config(MergeStrategy.CONFIG);
        return config.map(c -> MergeStrategy.parse(c, "git config " + MergeStrategy.CONFIG));
    }

    /**
     * Stores the canonical weighted average of the two sides' tensors (dense) and returns its id. Memory: a block of
     * elements within the encoder's chunk size from each side at a time; the result spills to disk beyond it.
     */
    private static TensorId average(LocalStore local, MergeAnalysis.Conflict c, float weight) throws IOException {
        ManifestTensor x = c.ours();
        if (!WeightedAverage.supports(x.dtype())) {
            throw new IllegalArgumentException(c.name() + " is " + x.dtype() + ", which cannot be averaged; merge it "
                    + "with ours or theirs");
        }
        long chunk = local.encoderOptions().chunkBytes();
        int width = x.dtype().byteSize();
        int block = (int) Math.max(width, chunk / width * width);
        try (SpillBuffer out = new SpillBuffer(chunk);
                InputStream ia = local.tensors().open(x.id()).orElseThrow(() -> missing(c, "ours"));
                InputStream ib = local.tensors().open(c.theirs().id()).orElseThrow(() -> missing(c, "theirs"))) {
            while (true) {
                byte[] pa = ia.readNBytes(block);
                byte[] pb = ib.readNBytes(block);
                if (pa.length != pb.length) {
                    throw new IOException(c.name() + ": the two sides' tensors differ in size");
                }
                if (pa.length == 0) {
                    break;
                }
                out.write(WeightedAverage.apply(pa, pb, x.dtype(), weight));
            }
            return local.putComputed(x.dtype(), x.shape(), out, KindEncoders::dense);
        }
    }

    private static IOException missing(MergeAnalysis.Conflict c, String side) {
        return new IOException(c.name() + " (" + side + ") is not in the local store");
    }

    /** The interactive choice, on the terminal, in the style of git-theta's merge tool. */
    static final class Prompt {
        private Prompt() {
        }

        static Optional<MergeStrategy> ask(MergeAnalysis.Conflict c, String path) throws IOException {
            Path tty = Path.of("/dev/tty");
            if (System.getenv("THETA_NO_PROMPT") != null || !Files.isReadable(tty)) {
                return Optional.empty();
            }
            try (PrintStream out = new PrintStream(Files.newOutputStream(tty), true, StandardCharsets.UTF_8);
                    BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(tty),
                            StandardCharsets.UTF_8))) {
                while (true) {
                    out.print("theta: " + path + ": " + c.name() + " (" + c.ours().dtype() + " " + c.ours().shape()
                            + ") changed on both sides.\n  [a]vg / take [o]urs / take [t]heirs / [q]uit? ");
                    out.flush();
                    String line = in.readLine();
                    if (line == null) {
                        return Optional.empty();
                    }
                    switch (line.strip().toLowerCase(java.util.Locale.ROOT)) {
                        case "a", "avg", "average" -> {
                            return Optional.of(MergeStrategy.AVERAGE);
                        }
                        case "o", "ours" -> {
                            return Optional.of(MergeStrategy.OURS);
                        }
                        case "t", "theirs" -> {
                            return Optional.of(MergeStrategy.THEIRS);
                        }
                        case "q", "quit" -> {
                            return Optional.empty();
                        }
                        default -> out.println("  please answer a, o, t or q");
                    }
                }
            } catch (IOException noTerminal) {
                return Optional.empty(); // /dev/tty exists but there is no controlling terminal
            }
        }
    }
}
