package io.thetahost.client.push;

import io.thetahost.client.git.Git;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The earlier versions of each pushed checkpoint, found in its commits' history: for a manifest pushed at a path, the
 * other manifests at that path in its commits' parents, then their parents, nearest first, down to and including the
 * commits the remote already has. These are the versions its tensors were most likely made from, so the bases an
 * upload tries first. Bounded: at most {@link #MAX_VERSIONS} versions per pushed manifest and {@link #MAX_VISITS}
 * commits visited to find them.
 */
final class ManifestHistory {
    static final int MAX_VERSIONS = 8;
    static final int MAX_VISITS = 2_000;

    /** The parents of each commit the push sends; commits not in it are the remote's (the boundary). */
    private final Map<String, List<String>> parents = new HashMap<>();
    /** The blob at each (commit, path) asked for: absent where the commit has no file there. */
    private final Map<String, String> blobs = new HashMap<>();
    /** The pushed commits holding each (path, blob), found once rather than by a scan per blob. */
    private final Map<String, List<String>> holders = new HashMap<>();

    private ManifestHistory() {
    }

    /**
     * @param revListArgs what selects the pushed commits, as {@code git rev-list} takes it (tips, then exclusions)
     * @param paths the tracked paths of the pushed manifests
     */
    static ManifestHistory of(Git git, List<String> revListArgs, Collection<String> paths) throws IOException {
        ManifestHistory h = new ManifestHistory();
        List<String> args = new ArrayList<>(List.of("rev-list", "--parents"));
        args.addAll(revListArgs);
        for (String line : git.output(args.toArray(String[]::new)).split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length > 0 && !f[0].isEmpty()) {
                h.parents.put(f[0], List.of(f).subList(1, f.length));
            }
        }
        Set<String> commits = new LinkedHashSet<>(h.parents.keySet());
        h.parents.values().forEach(commits::addAll);
        List<String> queries = new ArrayList<>();
        List<String> queryPaths = new ArrayList<>();
        List<String> queryCommits = new ArrayList<>();
        for (String c : commits) {
            for (String p : paths) {
                queries.add(c + ":" + p);
                queryCommits.add(c);
                queryPaths.add(p);
            }
        }
        if (queries.isEmpty()) {
            return h;
        }
        // One git process for every (commit, path): "<sha> blob <size>", or "<query> missing".
        String out = new String(git.run(List.of("cat-file", "--batch-check=%(objectname) %(objecttype)"),
                String.join("\n", queries) + "\n", false).bytes(), StandardCharsets.UTF_8);
        String[] lines = out.split("\n");
        for (int i = 0; i < queries.size() && i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            if (f.length == 2 && f[1].equals("blob")) {
                h.blobs.put(queries.get(i), f[0]);
                if (h.parents.containsKey(queryCommits.get(i))) {
                    h.holders.computeIfAbsent(queryPaths.get(i) + "\0" + f[0], k -> new ArrayList<>())
                            .add(queryCommits.get(i));
                }
            }
        }
        return h;
    }

    /** The other blobs at {@code path} in the history of the pushed commits holding {@code blob}, nearest first. */
    List<String> earlierVersions(String path, String blob) {
        List<String> versions = new ArrayList<>();
        Set<String> seenBlobs = new HashSet<>(Set.of(blob));
        Set<String> visited = new HashSet<>();
        ArrayDeque<String> queue = new ArrayDeque<>();
        for (String c : holders.getOrDefault(path + "\0" + blob, List.of())) {
            queue.addAll(parents.get(c));
        }
        while (!queue.isEmpty() && versions.size() < MAX_VERSIONS && visited.size() < MAX_VISITS) {
            String c = queue.poll();
            if (!visited.add(c)) {
                continue;
            }
            String b = blobs.get(c + ":" + path);
            if (b != null && seenBlobs.add(b)) {
                versions.add(b);
            }
            List<String> next = parents.get(c);
            if (next != null) {
                queue.addAll(next); // a pushed commit: go on; the remote's commits end the walk
            }
        }
        return versions;
    }
}
