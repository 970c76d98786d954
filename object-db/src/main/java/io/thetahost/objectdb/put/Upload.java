package io.thetahost.objectdb.put;

import io.thetahost.codec.decode.BaseLookup;
import io.thetahost.codec.decode.DecodingStream;
import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.objectdb.PutResult;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.read.TensorReader;
import io.thetahost.objectdb.store.Column;
import io.thetahost.objectdb.store.InFlightBlobs;
import io.thetahost.objectdb.store.Keys;
import io.thetahost.objectdb.store.MetaRecord;
import io.thetahost.objectdb.store.ReadView;
import io.thetahost.objectdb.store.StoreDb;
import io.thetahost.objectdb.store.StoreLocks;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

/**
 * One verified upload, in a single pass over the encoding: its bytes go to the decoder and, as they pass, into
 * pieces; the decoder pulls the base from the store (only a base the uploading repository may read), and checks at
 * the end that the tensor hashes to the declared id. Only then does one synced batch write the meta record (which
 * makes the tensor visible), the repository's grant, and the removal of the pending record. Any failure before
 * that drops the pieces; a crash leaves them to be reclaimed.
 */
public final class Upload {
    private static final int READ_BUFFER = 256 << 10;

    private final StoreDb db;
    private final TensorReader reader;
    private final StoreLocks locks;
    private final InFlightBlobs inFlight;
    private final StoreOptions options;
    private final Reencoder reencoder;

    public Upload(StoreDb db, TensorReader reader, StoreLocks locks, InFlightBlobs inFlight, StoreOptions options,
            Path tempDir) {
        this.db = db;
        this.reader = reader;
        this.locks = locks;
        this.inFlight = inFlight;
        this.options = options;
        this.reencoder = new Reencoder(db, inFlight, options, tempDir);
    }

    /** See {@link io.thetahost.objectdb.TensorStore#put}. */
    public PutResult put(InputStream encoding, String repository) throws IOException {
        Keys.repositoryBytes(repository);
        PieceWriter pieces = new PieceWriter(db, inFlight, options.pieceBytes());
        PieceWriter dense = null;
        try (ReadView view = db.view()) {
            TeeInputStream tee = new TeeInputStream(encoding, pieces);
            BaseLookup bases = reader.bases(view,
                    base -> db.get(view, Column.ACCESS, Keys.access(repository, base)) != null);
            try (DecodingStream tensor = DecodingStream.open(tee, bases, options.limits())) {
                EncodingHeader h = tensor.header();
                if (db.meta(null, h.target()).isPresent()) {
                    // Stored already: verify the upload all the same (it is what entitles the repository to the
                    // tensor), but keep none of it.
                    tee.stop();
                    pieces.discard();
                    drain(tensor, null, null);
                    return commit(h.target(), null, null, repository);
                }
                int depth = h.base() == null ? 0 : 1 + db.meta(view, h.base())
                        .orElseThrow(() -> new InvalidEncodingException("base " + h.base() + " is not available"))
                        .meta().chainDepth();
                if (depth > options.maxChainDepth()) {
                    tee.stop();
                    pieces.discard();
                    Reencoder.Reencoded reencoded = reencoder.reencode(tensor);
                    dense = reencoded.pieces();
                    return commit(h.target(), reencoded.meta(), dense, repository);
                }
                ValueFlags flags = ValueFlags.of(h.dtype());
                drain(tensor, flags, null);
                pieces.finishInBatch();
                TensorMeta meta = new TensorMeta(h.target(), h.dtype(), h.shape(), h.tensorBytes(), h.kind(),
                        h.base(), depth, pieces.bytes(), flags.hasNaN(), flags.hasInf(), Instant.EPOCH);
                return commit(h.target(), meta, pieces, repository);
            }
        } catch (IOException | RuntimeException | Error e) {
            discard(pieces, e);
            discard(dense, e);
            throw e;
        } finally {
            // After success these are either committed (nothing to do) or a loser's copy of a tensor stored
            // meanwhile, which the next open or gc reclaims if it cannot be dropped now.
            discard(pieces, null);
            discard(dense, null);
        }
    }

    /** Drops uncommitted pieces; a failure to do so is added to {@code failure}, or left to reclamation. */
    private static void discard(PieceWriter pieces, Throwable failure) {
        if (pieces == null) {
            return;
        }
        try {
            pieces.discard();
        } catch (IOException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            }
        }
    }

    /** Reads a tensor to its end, which checks its id; passes the bytes to {@code flags} and {@code out} if given. */
    public static void drain(DecodingStream tensor, ValueFlags flags, OutputStream out) throws IOException {
        byte[] buffer = new byte[READ_BUFFER];
        for (int n; (n = tensor.read(buffer, 0, buffer.length)) >= 0; ) {
            if (flags != null) {
                flags.update(buffer, 0, n);
            }
            if (out != null) {
                out.write(buffer, 0, n);
            }
        }
        tensor.verifiedId();
    }

    /**
     * Makes a verified tensor visible and readable by {@code repository}, or, if it is stored already (by an earlier
     * or a concurrent upload), only adds the grant.
     *
     * @param verified the meta to store (its time is set here); null when only a grant is wanted
     * @param pieces the blob {@code verified} points to; dropped by the caller if not committed
     */
    private PutResult commit(TensorId id, TensorMeta verified, PieceWriter pieces, String repository)
            throws IOException {
        Lock shared = locks.commit();
        shared.lock();
        try {
            Lock stripe = locks.tensor(id);
            stripe.lock();
            try (StoreDb.Batch batch = db.batch()) {
                byte[] access = Keys.access(repository, id);
                boolean granted = db.get(null, Column.ACCESS, access) != null;
                long now = System.currentTimeMillis();
                Optional<MetaRecord> existing = db.meta(null, id);
                if (existing.isPresent() || verified == null) {
                    TensorMeta stored = existing.orElseThrow(() -> new IOException(id + " was removed from the store "
                            + "while its upload was checked; send it again")).meta();
                    if (!granted) {
                        db.write(batch.put(Column.ACCESS, access, Keys.time(now)), true);
                    }
                    return new PutResult(id, PutResult.Status.ALREADY_STORED, stored.kind(), stored.encodedBytes());
                }
                TensorMeta meta = atCommit(verified, Instant.ofEpochMilli(now));
                batch.put(Column.META, Keys.tensor(id), new MetaRecord(meta, pieces.blob()).encode());
                batch.put(Column.ACCESS, access, Keys.time(now));
                pieces.commitInto(batch);
                db.write(batch, true);
                pieces.committed();
                locks.chainsChanged();
                return new PutResult(id, PutResult.Status.STORED, meta.kind(), meta.encodedBytes());
            } finally {
                stripe.unlock();
            }
        } finally {
            shared.unlock();
        }
    }

    /**
     * The meta as it is committed: stamped now, its depth taken from the base as it is now. The base was read
     * through the upload's view; gc may have removed it since (then the upload must be sent again), or it may have
     * been stored again at another depth.
     */
    private TensorMeta atCommit(TensorMeta m, Instant now) throws IOException {
        int depth = m.chainDepth();
        if (m.base() != null) {
            Optional<MetaRecord> base = db.meta(null, m.base());
            if (base.isEmpty()) {
                throw new IOException("base " + m.base() + " of " + m.id() + " was removed from the store while the "
                        + "upload was stored; send it again");
            }
            depth = base.get().meta().chainDepth() + 1;
            if (depth > options.maxChainDepth()) {
                throw new IOException("base " + m.base() + " of " + m.id() + " was stored again deeper in a chain "
                        + "while the upload was stored; send it again");
            }
        }
        return new TensorMeta(m.id(), m.dtype(), m.shape(), m.size(), m.kind(), m.base(), depth, m.encodedBytes(),
                m.hasNaN(), m.hasInf(), now);
    }
}
