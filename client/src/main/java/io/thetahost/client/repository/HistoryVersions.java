package io.thetahost.client.repository;

import io.thetahost.client.git.Git;
import io.thetahost.client.git.SmallBlobs;
import io.thetahost.protocol.manifest.InvalidManifestException;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The versions of each parameter of a checkpoint in the history of the commit being checked out, nearest first: the
 * manifests at its path in the commits that changed it, walking back from that commit as {@code git rev-list} lists
 * them, at most {@link #MAX_COMMITS}. A download offers these first as bases: the checkpoint checked out was most
 * likely made from one of them. Two git processes per checkpoint; only blobs small enough to be manifests are read.
 */
public final class HistoryVersions {
    static final int MAX_COMMITS = 16;
    /** Manifest bytes read per checkpoint at most: the memory this takes, whatever the history holds. */
    static final long MAX_TOTAL_BYTES = 64L << 20;
    private static final long MAX_MANIFEST = ManifestFormat.maxManifestBytes(SafetensorsLimits.defaults());
    private static final HistoryVersions NONE = new HistoryVersions(Map.of());

    private final Git git;
    private final String commit;
    private final String path;
    private Map<String, List<TensorId>> byName;

    private HistoryVersions(Map<String, List<TensorId>> byName) {
        this(null, null, null);
        this.byName = byName;
    }

    private HistoryVersions(Git git, String commit, String path) {
        this.git = git;
        this.commit = commit;
        this.path = path;
    }

    public static HistoryVersions none() {
        return NONE;
    }

    /**
     * The versions at {@code path} in the history of {@code commit} (a commit id, ref or HEAD), read from git when
     * first asked for (a checkout whose tensors are all here asks nothing); none where git cannot say (an unborn
     * branch, a shallow clone's missing history, an unknown commit).
     */
    public static HistoryVersions of(Git git, String commit, String path) {
        return new HistoryVersions(git, commit, path);
    }

    /** The versions of the parameter {@code name}, nearest first. */
    public List<TensorId> versionsOf(String name) throws IOException {
        if (byName == null) {
            byName = read(git, commit, path);
        }
        return byName.getOrDefault(name, List.of());
    }

    private static Map<String, List<TensorId>> read(Git git, String commit, String path) throws IOException {
        Git.Result revs = git.run(List.of("rev-list", "--max-count=" + MAX_COMMITS, commit, "--", path), "");
        if (!revs.ok() || revs.out().isBlank()) {
            return Map.of();
        }
        List<String> queries = new ArrayList<>();
        for (String c : revs.out().strip().split("\n")) {
            queries.add(c.strip() + ":" + path);
        }
        // Only blobs small enough to be manifests: the path may hold the raw checkpoint in commits from before it
        // was tracked.
        Map<String, Set<TensorId>> versions = new HashMap<>();
        for (byte[] content : SmallBlobs.read(git, queries, MAX_MANIFEST, MAX_TOTAL_BYTES).values()) {
            try {
                Manifest m = ManifestFormat.read(content);
                for (ManifestTensor t : m.tensors()) {
                    versions.computeIfAbsent(t.name(), k -> new LinkedHashSet<>()).add(t.id());
                }
            } catch (InvalidManifestException notAManifest) {
                // An untracked file's content at that commit: no versions.
            }
        }
        Map<String, List<TensorId>> byName = new HashMap<>();
        versions.forEach((name, ids) -> byName.put(name, List.copyOf(ids)));
        return byName;
    }
}
