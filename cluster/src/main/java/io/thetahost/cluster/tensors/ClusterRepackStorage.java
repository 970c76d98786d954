package io.thetahost.cluster.tensors;

import io.thetahost.cluster.objects.ObjectStore;
import io.thetahost.codec.decode.DecodingStream;
import io.thetahost.codec.encode.SpillBuffer;
import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.put.Upload;
import io.thetahost.objectdb.repack.RepackStorage;
import io.thetahost.objectdb.store.CorruptStoreException;
import io.thetahost.protocol.tensor.TensorId;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Repack's writes in the cluster store, which follow an upload's ({@link ClusterUpload}): a re-encoding is spooled to
 * the front's disk, decoded from there against its base (read from this store) and checked against the tensor's id,
 * then written to the object store under a fresh key that a pending record names, and committed by
 * {@link TensorRows#repatch}, which checks again, against the chains as they are then and under the lock gc's sweep
 * takes, that the tensor is still dense and the patch makes no loop and no chain too deep.
 *
 * <p>The old object is left to gc, which deletes objects no row names once their key is a day old: a read on any
 * front that read the tensor's row before the commit goes on streaming it, where deleting it at once would cut that
 * read off. Until then fsck counts it among the leftovers that gc reclaims.
 *
 * <p>On any failure the new object and then its pending record are removed, best effort, as a failed upload's are;
 * what cannot be removed, gc removes once the pending record is a day old. Memory: a copy buffer, and the decoder's
 * chunk per chain level while it verifies; disk: the re-encoding. For one repack.
 */
final class ClusterRepackStorage implements RepackStorage {
    private final TensorRows rows;
    private final ObjectStore objects;
    private final ChainReader reader;
    private final EncodingCache cache;
    private final StoreOptions options;
    private final String front;
    private final Path spoolDir;
    private final Clock clock;

    ClusterRepackStorage(TensorRows rows, ObjectStore objects, ChainReader reader, EncodingCache cache,
            StoreOptions options, String front, Path spoolDir, Clock clock) {
        this.rows = rows;
        this.objects = objects;
        this.reader = reader;
        this.cache = cache;
        this.options = options;
        this.front = front;
        this.spoolDir = spoolDir;
        this.clock = clock;
    }

    @Override
    public Map<TensorId, TensorMeta> stored(Set<TensorId> ids) throws IOException {
        Map<TensorId, TensorMeta> stored = new HashMap<>();
        for (TensorRow row : rows.rows(ids)) {
            try {
                TensorMeta meta = row.meta();
                stored.put(meta.id(), meta);
            } catch (CorruptStoreException e) {
                // Left as it is: fsck reports it.
            }
        }
        return stored;
    }

    @Override
    public boolean fits(TensorId target, TensorId base, int maxDepth) throws IOException {
        return rows.patchDepth(target, base, maxDepth).isPresent();
    }

    /** Through the cache: the encoder reads a tensor more than once (a screen, a sample, in full). */
    @Override
    public InputStream open(TensorId id) throws IOException {
        return reader.open(id).orElseThrow(
                () -> new IOException("tensor " + id + " left the store while it was repacked"));
    }

    @Override
    public Optional<TensorMeta> replace(TensorMeta target, TensorId base, EncodingKind kind, SpillBuffer encoding)
            throws IOException {
        Path spool = Files.createTempFile(spoolDir, "repack-", ".enc");
        String key = null;
        boolean written = false;
        try {
            try (InputStream in = encoding.open(); OutputStream out = Files.newOutputStream(spool)) {
                in.transferTo(out);
            }
            long bytes = Files.size(spool);
            verify(spool, target, base, kind);
            key = ObjectKeys.fresh(target.id(), clock.instant());
            rows.addPending(key, front);
            written = true;
            try (InputStream in = Files.newInputStream(spool)) {
                objects.put(key, in, bytes);
            }
            Optional<TensorRows.Repatched> done = rows.repatch(target.id(), base, kind, bytes, key,
                    options.maxChainDepth());
            if (done.isEmpty()) {
                ClusterUpload.abandon(rows, objects, key, true, null);
                return Optional.empty();
            }
            // Never read again: no row names it (the object itself is gc's; see the class comment).
            cache.remove(done.get().oldObjectKey());
            return Optional.of(done.get().stored());
        } catch (IOException | RuntimeException | Error e) {
            ClusterUpload.abandon(rows, objects, key, written, e);
            throw e;
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    /** What the store writes itself is verified like what it receives: decoded from the spool, id checked. */
    private void verify(Path spool, TensorMeta target, TensorId base, EncodingKind kind) throws IOException {
        String what = "the re-encoding of " + target.id() + " against " + base;
        try (DecodingStream check = DecodingStream.open(new BufferedInputStream(Files.newInputStream(spool), 1 << 16),
                reader.bases(), options.limits())) {
            EncodingHeader h = check.header();
            if (!h.target().equals(target.id()) || !base.equals(h.base()) || h.kind() != kind
                    || h.dtype() != target.dtype() || !h.shape().equals(target.shape())) {
                throw new CorruptStoreException(what + " decodes as a " + h.kind().displayName() + " encoding of "
                        + h.target() + " on " + h.base());
            }
            Upload.drain(check, null, null);
        }
    }
}
