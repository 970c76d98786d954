package io.thetahost.client.push;

import io.thetahost.client.git.Git;
import io.thetahost.client.git.SmallBlobs;
import io.thetahost.client.repository.ThetaRepository;
import io.thetahost.protocol.manifest.InvalidManifestException;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The manifests a push sends: the blobs at theta-tracked paths among the objects reachable from the pushed commits
 * and not from what the remote already has, each with the earlier versions of its checkpoint in history.
 */
final class PushedManifests {
    private static final String ZERO = "0".repeat(40);

    private PushedManifests() {
    }

    /**
     * A manifest, the path it was found at, and the other manifests at that path in its commits' history, nearest
     * first ({@link ManifestHistory}): the versions its tensors were most likely made from.
     */
    record Found(String path, Manifest manifest, List<Manifest> earlier) {
    }

    /**
     * @param refLines the pre-push hook's input: {@code <local ref> <local sha> <remote ref> <remote sha>} per line
     * @param remote the remote's name (or URL) git passed the hook
     */
    static List<Found> find(ThetaRepository repo, String refLines, String remote) throws IOException {
        Git git = repo.git();
        List<String> selection = new ArrayList<>();
        List<String> exclude = new ArrayList<>();
        for (String line : refLines.split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length != 4) {
                continue;
            }
            if (!f[1].matches("0+")) {
                selection.add(f[1]);
            }
            if (!f[3].matches("0+") && git.run(List.of("cat-file", "-e", f[3] + "^{commit}"), "").ok()) {
                exclude.add("^" + f[3]);
            }
        }
        if (selection.isEmpty()) {
            return List.of(); // only deletions
        }
        selection.addAll(exclude);
        if (git.run(List.of("remote", "get-url", remote), "").ok()) {
            selection.add("--not");
            selection.add("--remotes=" + remote);
        }
        List<String> args = new ArrayList<>(List.of("rev-list", "--objects"));
        args.addAll(selection);
        Map<String, String> blobPaths = new LinkedHashMap<>();
        for (String line : git.output(args.toArray(String[]::new)).split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0) {
                blobPaths.putIfAbsent(line.substring(0, space), line.substring(space + 1));
            }
        }
        List<String> tracked = repo.trackedPaths(blobPaths.values());
        List<String> shas = new ArrayList<>();
        blobPaths.forEach((sha, path) -> {
            if (tracked.contains(path)) {
                shas.add(sha);
            }
        });
        if (shas.isEmpty()) {
            return List.of();
        }
        Map<String, Manifest> pushed = read(git, shas);
        ManifestHistory history = ManifestHistory.of(git, selection, new LinkedHashSet<>(tracked));
        Map<String, List<String>> earlierShas = new LinkedHashMap<>();
        Set<String> allEarlier = new LinkedHashSet<>();
        for (String sha : pushed.keySet()) {
            List<String> earlier = history.earlierVersions(blobPaths.get(sha), sha);
            earlierShas.put(sha, earlier);
            allEarlier.addAll(earlier);
        }
        Map<String, Manifest> earlierManifests = read(git, new ArrayList<>(allEarlier));
        List<Found> found = new ArrayList<>();
        pushed.forEach((sha, manifest) -> found.add(new Found(blobPaths.get(sha), manifest, earlierShas.get(sha)
                .stream().filter(earlierManifests::containsKey).map(earlierManifests::get).toList())));
        return found;
    }

    /**
     * The blobs that are manifests. A blob that is not one (a file committed before it was tracked, which git carries
     * itself) is left out, and one larger than a manifest can be is never read. Memory: the manifests themselves,
     * read {@link #BATCH} at a time.
     */
    private static Map<String, Manifest> read(Git git, List<String> shas) throws IOException {
        Map<String, Manifest> manifests = new LinkedHashMap<>();
        long max = ManifestFormat.maxManifestBytes(SafetensorsLimits.defaults());
        for (int from = 0; from < shas.size(); from += BATCH) {
            List<String> batch = shas.subList(from, Math.min(shas.size(), from + BATCH));
            for (Map.Entry<String, byte[]> blob : SmallBlobs.read(git, batch, max, Long.MAX_VALUE).entrySet()) {
                try {
                    manifests.put(blob.getKey(), ManifestFormat.read(blob.getValue()));
                } catch (InvalidManifestException e) {
                    // not a manifest: git carries it itself
                }
            }
        }
        return manifests;
    }

    /** Manifests read per git process. */
    private static final int BATCH = 64;
}
