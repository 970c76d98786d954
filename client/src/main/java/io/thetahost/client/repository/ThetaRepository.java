package io.thetahost.client.repository;

import io.thetahost.client.git.Git;
import io.thetahost.client.progress.Progress;
import io.thetahost.client.remote.GitEnvironment;
import io.thetahost.client.store.LocalStore;
import io.thetahost.client.transfer.TensorTransfers;
import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.tensor.TensorId;
import io.thetahost.protocol.transfer.Want;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A git repository theta works in: its git, its tensor store ({@code .git/theta/}), and the remote its tensors come
 * from and go to.
 */
public final class ThetaRepository {
    private final Git git;
    private final Path workTree;
    private final Path gitDir;

    private ThetaRepository(Git git, Path workTree, Path gitDir) {
        this.git = git;
        this.workTree = workTree;
        this.gitDir = gitDir;
    }

    /** The repository git would use here (it honours {@code GIT_DIR}, as git passes it to filters and hooks). */
    public static ThetaRepository here() throws IOException {
        Git git = Git.here();
        Git.Result r = git.run(List.of("rev-parse", "--absolute-git-dir", "--show-toplevel"), "");
        if (!r.ok()) {
            throw new IOException("not in a git repository (" + r.err().strip() + ")");
        }
        String[] lines = r.out().strip().split("\n");
        Path gitDir = Path.of(lines[0]);
        Path workTree = lines.length > 1 ? Path.of(lines[1]) : gitDir;
        return new ThetaRepository(Git.in(workTree), workTree, gitDir);
    }

    public Git git() {
        return git;
    }

    public Path workTree() {
        return workTree;
    }

    public Path gitDir() {
        return gitDir;
    }

    /** Opens the local tensor store; it is held by one process at a time, so close it before running git. */
    public LocalStore openStore() throws IOException {
        return LocalStore.open(gitDir.resolve("theta"));
    }

    /** The remote tensors are fetched from: the one the current branch tracks, else {@code origin}. */
    public String fetchRemote() throws IOException {
        Git.Result branch = git.run(List.of("symbolic-ref", "--quiet", "--short", "HEAD"), "");
        if (branch.ok()) {
            var tracked = git.config("branch." + branch.out().strip() + ".remote");
            if (tracked.isPresent() && !tracked.get().equals(".")) {
                return tracked.get();
            }
        }
        return "origin";
    }

    /** A remote's URL as git resolves it (insteadOf included); a URL is its own. */
    public String remoteUrl(String remote) throws IOException {
        if (remote.contains("://")) {
            return remote;
        }
        Git.Result r = git.run(List.of("remote", "get-url", remote), "");
        if (!r.ok()) {
            throw new IOException("no remote '" + remote + "' to move tensors with (" + r.err().strip() + ")");
        }
        return r.out().strip();
    }

    /** Those of these paths (from the top of the work tree) whose filter attribute is theta. */
    public List<String> trackedPaths(java.util.Collection<String> paths) throws IOException {
        if (paths.isEmpty()) {
            return List.of();
        }
        String input = String.join("\0", paths) + "\0";
        byte[] out = git.run(List.of("check-attr", "-z", "--stdin", "filter"), input, false).bytes();
        String[] f = new String(out, java.nio.charset.StandardCharsets.UTF_8).split("\0");
        List<String> tracked = new ArrayList<>();
        for (int i = 0; i + 2 < f.length; i += 3) {
            if (f[i + 2].equals("theta")) {
                tracked.add(f[i]);
            }
        }
        return tracked;
    }

    public TensorTransfers transfers(String url, LocalStore local, Progress progress) throws IOException {
        EncoderOptions options = EncoderOptions.defaults();
        int budget = intConfig(ENCODE_TIME_BUDGET, (int) options.timeBudget().toSeconds());
        if (budget == 0) {
            throw new IOException("git config " + ENCODE_TIME_BUDGET + " is 0; it must be 1 or more seconds");
        }
        return TensorTransfers.to(url, GitEnvironment.in(workTree), local, progress,
                options.withTimeBudget(java.time.Duration.ofSeconds(budget)))
                .withBaseCandidates(intConfig(BASE_CANDIDATES, TensorTransfers.DEFAULT_CANDIDATES));
    }

    /** Seconds an upload may spend looking for one tensor's smallest encoding (default: the encoder's, 10). */
    public static final String ENCODE_TIME_BUDGET = "theta.encodeTimeBudget";

    /** How many bases an upload compares per tensor to find the nearest; 0 uploads every tensor self-contained. */
    public static final String BASE_CANDIDATES = "theta.baseCandidates";

    /** A whole number, 0 or more, from git config; {@code otherwise} when unset. */
    private int intConfig(String key, int otherwise) throws IOException {
        Optional<String> value = git.config(key);
        if (value.isEmpty()) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(value.get().strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IOException("git config " + key + " is '" + value.get().strip() + "'; it must be a whole number, 0 "
                + "or more");
    }

    /** How many versions of each wanted parameter a download offers as bases. */
    static final int OFFERED_VERSIONS = Want.MAX_BASES;

    /**
     * Downloads the tensors of a manifest (those whose names {@code include} accepts) that the store lacks, offering
     * the versions of the same parameters held here as bases (up to {@link #OFFERED_VERSIONS} each) so only what
     * changed moves.
     *
     * @param what the checkpoint, for messages
     * @throws IOException naming a tensor the remote does not have (or does not let this user read)
     */
    public void fetchMissing(Manifest manifest, Predicate<String> include, LocalStore local, String what,
            Progress progress) throws IOException {
        fetchMissing(manifest, include, local, what, progress, HistoryVersions.none());
    }

    /**
     * As above, offering first the versions of each parameter in the history of the commit being checked out, nearest
     * first, then the others held here, last seen first.
     */
    public void fetchMissing(Manifest manifest, Predicate<String> include, LocalStore local, String what,
            Progress progress, HistoryVersions history) throws IOException {
        Optional<Fetch> fetch = missing(manifest, include, local, history);
        if (fetch.isPresent()) {
            fetch(fetch.get(), connect(local, progress), manifest, what);
            local.parameters().record(manifest);
        }
    }

    /**
     * Starts {@link #fetchMissing} of every tensor of a manifest on a thread of its own, so that a checkout writes
     * each tensor as soon as it is stored while later ones still download. The remote is looked up and its
     * transport set up here, so that a configuration problem fails before anything is written.
     */
    public BackgroundFetch fetchMissingInBackground(Manifest manifest, LocalStore local, String what,
            Progress progress, HistoryVersions history) throws IOException {
        Optional<Fetch> fetch = missing(manifest, name -> true, local, history);
        if (fetch.isEmpty()) {
            return BackgroundFetch.nothingToFetch(local);
        }
        Connection connection = connect(local, progress);
        local.overlapDownloadAndAssembly();
        return BackgroundFetch.start(local, connection.transfers()::abort,
                () -> fetch(fetch.get(), connection, manifest, what));
    }

    /** What a download asks for: the wants, and the versions held here that it offers as bases. */
    private record Fetch(List<Want> wants, Set<TensorId> haves) {
    }

    /** The remote fetched from, and the transfers with it. */
    private record Connection(String remote, TensorTransfers transfers) {
    }

    private Connection connect(LocalStore local, Progress progress) throws IOException {
        String remote = fetchRemote();
        return new Connection(remote, transfers(remoteUrl(remote), local, progress));
    }

    private static Optional<Fetch> missing(Manifest manifest, Predicate<String> include, LocalStore local,
            HistoryVersions history) throws IOException {
        List<Want> wants = new ArrayList<>();
        Set<TensorId> wanted = new LinkedHashSet<>();
        Set<TensorId> haves = new LinkedHashSet<>();
        for (ManifestTensor t : manifest.tensors()) {
            if (!include.test(t.name()) || local.has(t.id()) || !wanted.add(t.id())) {
                continue;
            }
            // The versions of this parameter held here, nearest in history first, then last seen first: the want's
            // bases (the server encodes against the nearest), and haves, so the server can send the patch it stores
            // when its base is any of them.
            Set<TensorId> candidates = new LinkedHashSet<>(history.versionsOf(t.name()));
            candidates.addAll(local.parameters().versionsOf(t.name(), t.id()));
            candidates.remove(t.id());
            List<TensorId> held = candidates.stream().filter(local::has).limit(OFFERED_VERSIONS).toList();
            wants.add(Want.of(t.id(), held));
            haves.addAll(held);
        }
        return wants.isEmpty() ? Optional.empty() : Optional.of(new Fetch(wants, haves));
    }

    private static void fetch(Fetch fetch, Connection connection, Manifest manifest, String what) throws IOException {
        TensorTransfers.DownloadReport report = connection.transfers().download(fetch.wants(), fetch.haves());
        if (!report.missing().isEmpty()) {
            TensorId first = report.missing().get(0);
            String name = manifest.tensors().stream().filter(t -> t.id().equals(first)).findFirst()
                    .map(ManifestTensor::name).orElse("?");
            throw new IOException("the remote '" + connection.remote() + "' does not have (or does not let you read) "
                    + report.missing().size() + " tensor(s) of " + what + ", for example " + name + " (" + first
                    + ")");
        }
    }
}
