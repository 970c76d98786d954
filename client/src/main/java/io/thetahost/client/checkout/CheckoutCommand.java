package io.thetahost.client.checkout;

import io.thetahost.client.progress.Progress;
import io.thetahost.client.repository.CommittedCheckpoint;
import io.thetahost.client.repository.HistoryVersions;
import io.thetahost.client.repository.ThetaRepository;
import io.thetahost.client.store.LocalStore;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ParameterGlob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code theta checkout [--include GLOB]... [PATH]...}: materializes tracked checkpoints as staged. With
 * {@code --include}, only the matching parameter groups are fetched and written, as a valid safetensors file of just
 * those tensors, and the path is marked skip-worktree so git does not report it as modified; without, the whole
 * checkpoint is restored and the mark removed.
 */
@Command(name = "checkout", mixinStandardHelpOptions = true,
        description = "Write tracked checkpoints as staged; with --include, only the matching parameter groups "
                + "(fetching only those).")
public final class CheckoutCommand implements Callable<Integer> {
    @Option(names = "--include", paramLabel = "GLOB",
            description = "Parameter names to materialize, for example '*lora*'; * matches any characters.")
    List<String> include = new ArrayList<>();

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = "Tracked checkpoints; default: every tracked checkpoint.")
    List<Path> paths = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        ThetaRepository repo = ThetaRepository.here();
        List<Path> targets = paths.isEmpty() ? tracked(repo) : paths;
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no tracked checkpoint here (see theta track)");
        }
        Predicate<String> wanted = include.isEmpty() ? name -> true : ParameterGlob.anyOf(include);
        Progress progress = Progress.on(System.err);
        List<CommittedCheckpoint> done = new ArrayList<>();
        try (LocalStore local = repo.openStore()) {
            for (Path p : targets) {
                CommittedCheckpoint c = CommittedCheckpoint.at(repo, p, "");
                Manifest full = c.manifest();
                repo.fetchMissing(full, wanted, local, c.path(), progress,
                        HistoryVersions.of(repo.git(), "HEAD", c.path()));
                local.parameters().record(full);
                Manifest written = include.isEmpty() ? full : full.subset(wanted).orElseThrow(
                        () -> new IllegalArgumentException("no parameter of " + c.path() + " matches --include"));
                local.assemble(written, c.file());
                System.out.println("theta: wrote " + c.path() + ": " + written.tensors().size() + " of "
                        + full.tensors().size() + " tensors" + (include.isEmpty() ? "" : " (a partial checkout)"));
                done.add(c);
            }
        }
        for (CommittedCheckpoint c : done) {
            if (include.isEmpty()) {
                repo.git().output("update-index", "--no-skip-worktree", "--", c.path());
                // The file is what is staged, but git records the size of what it last saw there (a manifest, or a
                // partial file) and trusts a size mismatch without looking. Adding it again cleans it to the same
                // manifest and records the file as it is now.
                repo.git().output("add", "--", c.path());
            } else {
                repo.git().output("update-index", "--skip-worktree", "--", c.path());
            }
        }
        return 0;
    }

    /** The tracked checkpoints staged in the index. */
    private static List<Path> tracked(ThetaRepository repo) throws IOException {
        byte[] out = repo.git().run(List.of("ls-files", "-z", "--full-name", ":/"), "").bytes();
        List<Path> tracked = new ArrayList<>();
        for (String path : repo.trackedPaths(List.of(new String(out, StandardCharsets.UTF_8).split("\0")))) {
            tracked.add(repo.workTree().resolve(path));
        }
        return tracked;
    }
}
