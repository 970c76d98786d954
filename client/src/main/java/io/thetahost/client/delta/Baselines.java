package io.thetahost.client.delta;

import com.github.luben.zstd.ZstdOutputStream;
import io.thetahost.client.checkpoint.Checkpoint;
import io.thetahost.protocol.safetensors.TensorEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;

/** The generic compressors theta's encodings are measured against: zstd -19 of the tensors, and of their XOR. */
final class Baselines {
    private Baselines() {
    }

    /** zstd -19 of TARGET's tensors' raw bytes, in file order, as one stream. */
    static long zstd19Raw(Checkpoint target) throws IOException {
        Counter counter = new Counter();
        try (ZstdOutputStream z = new ZstdOutputStream(counter, 19)) {
            for (TensorEntry e : target.tensors().values()) {
                try (InputStream in = target.input(e).open()) {
                    in.transferTo(z);
                }
            }
        }
        return counter.count;
    }

    /**
     * zstd -19 of each tensor XOR the same-named base tensor (when both have the same size; else the raw tensor), as
     * one stream: what a generic binary delta of the update costs.
     */
    static long zstd19Xor(Checkpoint target, Optional<Checkpoint> base) throws IOException {
        Map<String, TensorEntry> bases = base.map(Checkpoint::tensors).orElse(Map.of());
        Counter counter = new Counter();
        byte[] tb = new byte[1 << 16];
        byte[] bb = new byte[1 << 16];
        try (ZstdOutputStream z = new ZstdOutputStream(counter, 19)) {
            for (TensorEntry e : target.tensors().values()) {
                TensorEntry b = bases.get(e.name());
                try (InputStream t = target.input(e).open();
                        InputStream bi = b != null && b.size() == e.size() ? base.get().input(b).open()
                                : InputStream.nullInputStream()) {
                    for (int n; (n = t.readNBytes(tb, 0, tb.length)) > 0; ) {
                        int m = bi.readNBytes(bb, 0, n);
                        for (int i = 0; i < m; i++) {
                            tb[i] ^= bb[i];
                        }
                        z.write(tb, 0, n);
                    }
                }
            }
        }
        return counter.count;
    }

    private static final class Counter extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
