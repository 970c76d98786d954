package io.thetahost.client.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads many objects at once, but only blobs no larger than a bound: their sizes first ({@code git cat-file
 * --batch-check}), then the contents of those that fit ({@code --batch}), so a path that held a multi-gigabyte
 * checkpoint in some commit (before it was tracked) costs its size line, not its bytes. Memory: at most
 * {@code maxTotal} bytes of contents.
 */
public final class SmallBlobs {
    private SmallBlobs() {
    }

    /**
     * The contents of the blobs named (object ids or {@code rev:path}) that exist and are at most {@code maxEach}
     * bytes, by name, in order, until {@code maxTotal} bytes are read; the others are left out.
     */
    public static Map<String, byte[]> read(Git git, List<String> names, long maxEach, long maxTotal)
            throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return out;
        }
        String checks = new String(git.run(List.of("cat-file",
                "--batch-check=%(objectname) %(objecttype) %(objectsize)"), String.join("\n", names) + "\n", false)
                .bytes(), StandardCharsets.UTF_8);
        String[] lines = checks.split("\n");
        List<String> wanted = new ArrayList<>();
        List<String> objects = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < names.size() && i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            if (f.length != 3 || !f[1].equals("blob")) {
                continue;
            }
            long size = Long.parseLong(f[2]);
            if (size > maxEach) {
                continue;
            }
            if (total + size > maxTotal) {
                break;
            }
            total += size;
            wanted.add(names.get(i));
            objects.add(f[0]);
        }
        if (objects.isEmpty()) {
            return out;
        }
        byte[] batch = git.run(List.of("cat-file", "--batch"), String.join("\n", objects) + "\n", false).bytes();
        int at = 0;
        for (String name : wanted) {
            int eol = indexOf(batch, (byte) '\n', at);
            String[] head = new String(batch, at, eol - at, StandardCharsets.UTF_8).split(" ");
            if (head.length != 3) {
                throw new IOException("git cat-file --batch answered '" + String.join(" ", head) + "'");
            }
            int size = Integer.parseInt(head[2]);
            at = eol + 1;
            if (at + size > batch.length) {
                throw new IOException("git cat-file --batch ended early");
            }
            out.put(name, Arrays.copyOfRange(batch, at, at + size));
            at += size + 1;
        }
        return out;
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
