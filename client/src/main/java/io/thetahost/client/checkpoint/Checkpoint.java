package io.thetahost.client.checkpoint;

import io.thetahost.codec.encode.TensorInput;
import io.thetahost.protocol.safetensors.SafetensorsHeader;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import io.thetahost.protocol.safetensors.SafetensorsReader;
import io.thetahost.protocol.safetensors.TensorEntry;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A safetensors file on disk: its validated header, and each tensor readable in place. */
public final class Checkpoint {
    private final Path file;
    private final SafetensorsHeader header;
    private final long dataStart;

    private Checkpoint(Path file, SafetensorsHeader header) {
        this.file = file;
        this.header = header;
        this.dataStart = 8L + header.length();
    }

    public static Checkpoint open(Path file) throws IOException {
        try (SafetensorsReader reader = SafetensorsReader.open(file, SafetensorsLimits.defaults())) {
            return new Checkpoint(file, reader.header());
        }
    }

    public long fileSize() throws IOException {
        return Files.size(file);
    }

    /** The tensors in file order. */
    public Map<String, TensorEntry> tensors() {
        Map<String, TensorEntry> out = new LinkedHashMap<>();
        for (TensorEntry e : header.tensors()) {
            out.put(e.name(), e);
        }
        return out;
    }

    public TensorInput input(TensorEntry e) {
        return TensorInput.inFile(file, dataStart + e.begin(), e.dtype(), e.shape());
    }

    public static TensorId id(TensorInput t) throws IOException {
        TensorId.Hasher h = TensorId.hasher(t.dtype(), t.shape());
        byte[] buf = new byte[1 << 16];
        try (InputStream in = t.open()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                h.update(buf, 0, n);
            }
        }
        return h.finish();
    }

    public byte[] bytes(TensorEntry e) throws IOException {
        try (InputStream in = input(e).open()) {
            return in.readAllBytes();
        }
    }
}
