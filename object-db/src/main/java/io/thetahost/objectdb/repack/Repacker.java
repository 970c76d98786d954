package io.thetahost.objectdb.repack;

import io.thetahost.codec.encode.Encoder;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Re-encodes tensors stored dense as patches against a neighbour in history when that is much smaller, as git's
 * {@code repack -f} does for objects (object-db/STORE.md, Repack): which tensors and which bases, the encoding, and
 * whether it saves enough, the same for every store. Writing, verifying and committing a re-encoding are the
 * {@link RepackStorage}'s ({@link RocksRepackStorage}; the cluster module's over PostgreSQL and an object store), which
 * checks again at commit, against the chains as they are then, that it makes no loop and no chain too deep. Decoding
 * and encoding run while uploads go on. Memory: one meta per tensor in the pairs, plus the encoder's chunks (and
 * whatever the storage holds to answer {@link RepackStorage#fits}).
 */
public final class Repacker {
    /** A re-encoding is kept only if it saves this fraction of the tensor's stored bytes... */
    static final double MIN_SAVING_FRACTION = 0.10;
    /** ...and at least this many bytes: smaller savings are not worth a deeper chain. */
    static final long MIN_SAVING_BYTES = 4096;
    /** Neighbours compared in full per tensor, after a screen of them all on a sample. */
    static final int COMPARED = 3;
    private static final long PROGRESS_NANOS = 5_000_000_000L;

    private final RepackStorage storage;
    private final StoreOptions options;
    private final Encoder encoder;

    public Repacker(RepackStorage storage, StoreOptions options, Encoder encoder) {
        this.storage = storage;
        this.options = options;
        this.encoder = encoder;
    }

    public RepackReport repack(Collection<Neighbours> pairs, Consumer<String> progress) throws IOException {
        Map<TensorId, Set<TensorId>> neighbours = new HashMap<>();
        for (Neighbours n : pairs) {
            if (!n.a().equals(n.b())) {
                neighbours.computeIfAbsent(n.a(), k -> new LinkedHashSet<>()).add(n.b());
                neighbours.computeIfAbsent(n.b(), k -> new LinkedHashSet<>()).add(n.a());
            }
        }
        // Read once: a tensor's dtype and shape never change, and whether a base may still be used is fits()'s to say.
        Map<TensorId, TensorMeta> stored = storage.stored(neighbours.keySet());
        List<TensorMeta> targets = new ArrayList<>();
        for (TensorMeta m : stored.values()) {
            if (m.kind() == EncodingKind.DENSE) {
                targets.add(m);
            }
        }
        targets.sort(Comparator.comparingLong(TensorMeta::encodedBytes).reversed()
                .thenComparing(m -> m.id().toString()));
        long before = 0;
        long after = 0;
        long reencoded = 0;
        long lastProgress = System.nanoTime();
        for (int i = 0; i < targets.size(); i++) {
            TensorMeta t = targets.get(i);
            if (System.nanoTime() - lastProgress > PROGRESS_NANOS) {
                progress.accept("repack: " + i + "/" + targets.size() + " tensors looked at, " + reencoded
                        + " re-encoded, " + (before - after) + " bytes saved");
                lastProgress = System.nanoTime();
            }
            Optional<TensorMeta> replaced = reencode(t, neighbours.get(t.id()), stored);
            if (replaced.isPresent()) {
                reencoded++;
                before += t.encodedBytes();
                after += replaced.get().encodedBytes();
            }
        }
        return new RepackReport(targets.size(), reencoded, before, after);
    }

    /**
     * Encodes {@code t} against the nearest neighbour it may patch and, if that saves enough, has the storage commit
     * it; the tensor's meta as then stored.
     */
    private Optional<TensorMeta> reencode(TensorMeta t, Set<TensorId> neighbours, Map<TensorId, TensorMeta> stored)
            throws IOException {
        List<Encoder.Base> bases = new ArrayList<>();
        for (TensorId b : neighbours) {
            // Only bases of the target's dtype and shape: with none, there is nothing to encode against at all.
            TensorMeta base = stored.get(b);
            if (base != null && base.dtype() == t.dtype() && base.shape().equals(t.shape())
                    && storage.fits(t.id(), b, options.maxChainDepth())) {
                bases.add(new Encoder.Base(input(base), b));
            }
        }
        if (bases.isEmpty()) {
            return Optional.empty();
        }
        TensorInput target = input(t);
        Optional<Encoder.Base> base = encoder.nearest(target, bases, COMPARED);
        try (Encoder.Result encoded = encoder.encode(target, t.id(), base, Optional.empty())) {
            long size = encoded.encoding().size();
            long saving = t.encodedBytes() - size;
            if (encoded.kind() == EncodingKind.DENSE || saving < MIN_SAVING_BYTES
                    || saving < t.encodedBytes() * MIN_SAVING_FRACTION) {
                return Optional.empty();
            }
            return storage.replace(t, base.get().id(), encoded.kind(), encoded.encoding());
        }
    }

    private TensorInput input(TensorMeta meta) {
        return new TensorInput.Of(meta.dtype(), meta.shape(), () -> storage.open(meta.id()));
    }
}
