package io.thetahost.client.push;

import io.thetahost.client.git.Git;
import io.thetahost.client.repository.ThetaRepository;
import io.thetahost.protocol.manifest.InvalidManifestException;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestFormat;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The manifests a push sends: the blobs at theta-tracked paths among the objects reachable from the pushed commits
 * and not from what the remote already has.
 */
final class PushedManifests {
    private static final String ZERO = "0".repeat(40);

    private PushedManifests() {
    }

    /** A manifest and the path it was found at, for messages. */
    record Found(String path, Manifest manifest) {
    }

    /**
     * @param refLines the pre-push hook's input: {@code <local ref> <local sha> <remote ref> <remote sha>} per line
     * @param remote the remote's name (or URL) git passed the hook
     */
    static List<Found> find(ThetaRepository repo, String refLines, String remote) throws IOException {
        Git git = repo.git();
        List<String> args = new ArrayList<>(List.of("rev-list", "--objects"));
        List<String> exclude = new ArrayList<>();
        for (String line : refLines.split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length != 4) {
                continue;
            }
            if (!f[1].matches("0+")) {
                args.add(f[1]);
            }
            if (!f[3].matches("0+") && git.run(List.of("cat-file", "-e", f[3] + "^{commit}"), "").ok()) {
                exclude.add("^" + f[3]);
            }
        }
        if (args.size() == 2) {
            return List.of(); // only deletions
        }
        args.addAll(exclude);
        if (git.run(List.of("remote", "get-url", remote), "").ok()) {
            args.add("--not");
            args.add("--remotes=" + remote);
        }
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
        List<Found> found = new ArrayList<>();
        if (shas.isEmpty()) {
            return found;
        }
        long max = ManifestFormat.maxManifestBytes(SafetensorsLimits.defaults());
        byte[] batch = git.run(List.of("cat-file", "--batch"), String.join("\n", shas) + "\n", false).bytes();
        int at = 0;
        for (String sha : shas) {
            int eol = indexOf(batch, (byte) '\n', at);
            String[] head = new String(batch, at, eol - at, StandardCharsets.UTF_8).split(" ");
            at = eol + 1;
            if (head.length < 3 || !head[1].equals("blob")) {
                continue;
            }
            int size = Integer.parseInt(head[2]);
            if (size <= max) {
                try {
                    byte[] content = java.util.Arrays.copyOfRange(batch, at, at + size);
                    found.add(new Found(blobPaths.get(sha), ManifestFormat.read(content)));
                } catch (InvalidManifestException e) {
                    // a file committed before it was tracked: git carries it itself
                }
            }
            at += size + 1;
        }
        return found;
    }

    private static int indexOf(byte[] b, byte value, int from) throws IOException {
        for (int i = from; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        throw new IOException("git cat-file --batch ended early");
    }
}
