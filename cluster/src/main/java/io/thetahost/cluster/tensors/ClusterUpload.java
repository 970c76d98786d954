package io.thetahost.cluster.tensors;

import io.thetahost.cluster.objects.ObjectStore;
import io.thetahost.codec.decode.DecodingStream;
import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.objectdb.DiskFullException;
import io.thetahost.objectdb.PutResult;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.put.Upload;
import io.thetahost.objectdb.put.TeeInputStream;
import io.thetahost.objectdb.put.ValueFlags;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

/**
 * One verified upload into the cluster store (docs/CLUSTER.md, Tensors): the encoding is read once, its bytes going
 * to the decoder (which pulls the base from this store, only one the repository may read) and, as they pass, to a
 * spool file on the front's disk; once the decoder has checked the id, the spool is uploaded to the object store
 * under a fresh key that a pending record names, and only then does one transaction insert the row and the grant and
 * drop the pending record. Nothing is visible before that transaction.
 *
 * <p>The spool exists because an object's length must be known before it is written (a multipart upload of unknown
 * length would need the whole in memory or a guess), and because an encoding is verified before a byte of it goes to
 * the shared bucket. Memory: the decoder's chunk per chain level and the object store's one part; disk: the
 * encoding (and, for a re-encoded patch, the raw tensor and its dense encoding).
 *
 * <p>On any failure the upload removes its object and then its pending record, best effort, and never an object a row
 * names; what it cannot remove, gc does once the pending record is a day old.
 */
final class ClusterUpload {
    private final TensorRows rows;
    private final ObjectStore objects;
    private final ChainReader reader;
    private final StoreOptions options;
    private final String front;
    private final Path spoolDir;
    private final Clock clock;
    private final DenseReencoder reencoder;

    ClusterUpload(TensorRows rows, ObjectStore objects, ChainReader reader, StoreOptions options, String front,
            Path spoolDir, Clock clock) {
        this.rows = rows;
        this.objects = objects;
        this.reader = reader;
        this.options = options;
        this.front = front;
        this.spoolDir = spoolDir;
        this.clock = clock;
        this.reencoder = new DenseReencoder(options, spoolDir);
    }

    /** A verified encoding on the front's disk, to upload under {@code objectKey}. */
    private record Verified(TensorMeta meta, Path file, String objectKey) {
    }

    /** See {@link io.thetahost.objectdb.TensorStore#put}. */
    PutResult put(InputStream encoding, String repository) throws IOException {
        if (repository == null || repository.isEmpty()) {
            throw new IllegalArgumentException("an upload needs the repository it is for");
        }
        Path spool = Files.createTempFile(spoolDir, "upload-", ".enc");
        Attempt attempt = new Attempt();
        try {
            Verified verified;
            try {
                verified = verify(encoding, repository, spool, attempt);
            } catch (IOException e) {
                if (DiskFullException.causes(e) && !(e instanceof DiskFullException)) {
                    throw new DiskFullException("the front's disk under " + spoolDir + " is full; the upload was "
                            + "not stored: send it again", e);
                }
                throw e;
            }
            if (verified == null) {
                return attempt.result;
            }
            attempt.written = true;
            try (InputStream in = Files.newInputStream(verified.file())) {
                objects.put(verified.objectKey(), in, verified.meta().encodedBytes());
            }
            TensorRows.Committed committed = rows.commit(verified.meta(), verified.objectKey(), repository,
                    options.maxChainDepth());
            attempt.committed = true;
            TensorMeta stored = committed.stored();
            if (committed.status() == PutResult.Status.ALREADY_STORED) {
                // Another front stored the tensor meanwhile; its row names its own object, and this one is nobody's.
                deleteQuietly(verified.objectKey());
            }
            return new PutResult(stored.id(), committed.status(), stored.kind(), stored.encodedBytes());
        } catch (IOException | RuntimeException | Error e) {
            attempt.abandon(e);
            throw e;
        } finally {
            Files.deleteIfExists(spool);
            if (attempt.dense != null) {
                Files.deleteIfExists(attempt.dense);
            }
        }
    }

    /**
     * Reads and decodes the upload. Returns null when the tensor was stored already (then {@code attempt.result}
     * says so, and the grant is added).
     */
    private Verified verify(InputStream encoding, String repository, Path spool, Attempt attempt) throws IOException {
        try (OutputStream spoolOut = new BufferedOutputStream(Files.newOutputStream(spool), 1 << 16)) {
            TeeInputStream tee = new TeeInputStream(encoding, spoolOut);
            try (DecodingStream tensor = DecodingStream.open(tee, reader.basesFor(repository), options.limits())) {
                EncodingHeader h = tensor.header();
                if (rows.row(h.target()).isPresent()) {
                    // Stored already: verify the upload all the same (it is what entitles the repository to the
                    // tensor), but keep none of it.
                    tee.stop();
                    Upload.drain(tensor, null, null);
                    TensorMeta stored = rows.grantStored(h.target(), repository);
                    attempt.result = new PutResult(h.target(), PutResult.Status.ALREADY_STORED, stored.kind(),
                            stored.encodedBytes());
                    return null;
                }
                int depth = h.base() == null ? 0 : 1 + rows.row(h.base())
                        .orElseThrow(() -> new InvalidEncodingException("base " + h.base() + " is not available"))
                        .chainDepth();
                String key = ObjectKeys.fresh(h.target(), clock.instant());
                rows.addPending(key, front);
                attempt.key = key;
                if (depth > options.maxChainDepth()) {
                    tee.stop();
                    attempt.dense = Files.createTempFile(spoolDir, "dense-", ".enc");
                    return new Verified(reencoder.reencode(tensor, attempt.dense), attempt.dense, key);
                }
                ValueFlags flags = ValueFlags.of(h.dtype());
                Upload.drain(tensor, flags, null);
                spoolOut.flush();
                TensorMeta meta = new TensorMeta(h.target(), h.dtype(), h.shape(), h.tensorBytes(), h.kind(),
                        h.base(), depth, tee.copied(), flags.hasNaN(), flags.hasInf(), Instant.EPOCH);
                return new Verified(meta, spool, key);
            }
        }
    }

    private void deleteQuietly(String key) {
        try {
            objects.delete(key);
        } catch (IOException e) {
            // Named by no row and no pending record: gc deletes it once it is a day old.
        }
    }

    /** What an upload has left behind so far, to remove if it fails. */
    private final class Attempt {
        String key;
        /** The dense re-encoding of a patch too deep to store as it is; null for others. */
        Path dense;
        boolean written;
        boolean committed;
        PutResult result;

        void abandon(Throwable failure) {
            if (!committed) {
                ClusterUpload.abandon(rows, objects, key, written, failure);
            }
        }
    }

    /**
     * Removes an uncommitted object, then its pending record (an upload's or a repack's). A pending record stays while
     * its object may exist, so that gc, not a guess, removes what cannot be removed now. An object a row names (the
     * commit reached the database though its answer did not) is left alone, and so is its record (the commit deleted
     * it). Best effort: what fails is added to {@code failure}, or left to gc when there is none.
     */
    static void abandon(TensorRows rows, ObjectStore objects, String key, boolean written, Throwable failure) {
        if (key == null) {
            return;
        }
        try {
            if (written) {
                if (rows.namesObject(key)) {
                    return;
                }
                objects.delete(key);
            }
            rows.dropPending(key);
        } catch (IOException | RuntimeException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            }
        }
    }
}
