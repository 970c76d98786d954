package io.thetahost.client.store;

import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.manifest.ManifestTensor;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which versions of each parameter (by name) this client has seen, in the order last seen (the latest last): the
 * bases a fetch offers and an upload falls back to, so only what changed moves. An append-only text file
 * ({@code <id> <name>} per line) beside the store; a line naming a tensor the store has lost is ignored by the callers
 * that check the store.
 */
public final class ParameterIndex {
    private final Path file;
    private final Map<String, LinkedHashSet<TensorId>> versions = new HashMap<>();
    private final Map<String, TensorId> newest = new HashMap<>();

    private ParameterIndex(Path file) {
        this.file = file;
    }

    static ParameterIndex open(Path file) throws IOException {
        ParameterIndex index = new ParameterIndex(file);
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int space = line.indexOf(' ');
                if (space <= 0) {
                    continue; // a line cut short by a crash
                }
                try {
                    index.remember(line.substring(space + 1), TensorId.parse(line.substring(0, space)));
                } catch (IllegalArgumentException e) {
                    // likewise: not a line this index wrote whole
                }
            }
        }
        return index;
    }

    /** Makes {@code id} the newest version of {@code name}; false if it already was. */
    private boolean remember(String name, TensorId id) {
        if (id.equals(newest.get(name))) {
            return false;
        }
        LinkedHashSet<TensorId> ids = versions.computeIfAbsent(name, n -> new LinkedHashSet<>());
        ids.remove(id);
        ids.add(id);
        newest.put(name, id);
        return true;
    }

    /**
     * Records every tensor of a manifest as the newest version of its parameter. A version seen again is written
     * again, so the order survives the process: the file's last line for an id is when it was last seen.
     */
    public synchronized void record(Manifest manifest) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (ManifestTensor t : manifest.tensors()) {
            if (remember(t.name(), t.id())) {
                lines.append(t.id()).append(' ').append(t.name().replace('\n', ' ')).append('\n');
            }
        }
        if (lines.length() == 0) {
            return;
        }
        // One append per manifest: whole lines, even with another theta appending at the same time.
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                out.write(b);
            }
        }
    }

    /** The versions of a parameter seen here other than {@code except}, newest first. */
    public synchronized List<TensorId> versionsOf(String name, TensorId except) {
        Set<TensorId> ids = versions.getOrDefault(name, new LinkedHashSet<>());
        List<TensorId> out = new ArrayList<>(ids);
        out.remove(except);
        java.util.Collections.reverse(out);
        return out;
    }
}
