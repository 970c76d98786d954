package io.thetahost.objectdb.fsck;

import io.thetahost.codec.decode.DecodingStream;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.put.ValueFlags;
import io.thetahost.objectdb.read.BlobInputStream;
import io.thetahost.objectdb.read.TensorReader;
import io.thetahost.objectdb.store.BlobKey;
import io.thetahost.objectdb.store.Column;
import io.thetahost.objectdb.store.CorruptStoreException;
import io.thetahost.objectdb.store.InFlightBlobs;
import io.thetahost.objectdb.store.Keys;
import io.thetahost.objectdb.store.MetaRecord;
import io.thetahost.objectdb.store.Orphans;
import io.thetahost.objectdb.store.ReadView;
import io.thetahost.objectdb.store.StoreDb;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a whole store as of one snapshot, so uploads and gc may run meanwhile: every meta record reads, decodes
 * (its chain with it) and hashes to its id, with the value flags it records; its blob holds exactly its encoded
 * bytes; its base is stored, one level shallower, and the chain within the limit; every grant names a stored tensor;
 * and every blob belongs to a tensor or to an upload (orphans of interrupted uploads are counted, not problems).
 */
public final class Fsck {
    private static final int READ_BUFFER = 256 << 10;

    private final StoreDb db;
    private final TensorReader reader;
    private final InFlightBlobs inFlight;
    private final int maxChainDepth;
    private final List<FsckReport.Problem> problems = new ArrayList<>();
    private final Set<TensorId> stored = new HashSet<>();
    private final Map<BlobKey, TensorId> blobOwners = new HashMap<>();
    private long tensors;
    private long bytesDecoded;
    private long encodedBytes;
    private long patches;
    private long accessEntries;

    private Fsck(StoreDb db, TensorReader reader, InFlightBlobs inFlight, int maxChainDepth) {
        this.db = db;
        this.reader = reader;
        this.inFlight = inFlight;
        this.maxChainDepth = maxChainDepth;
    }

    /** Problems in the data become the report; only a failure to read the store at all is thrown. */
    public static FsckReport run(StoreDb db, TensorReader reader, InFlightBlobs inFlight, int maxChainDepth)
            throws IOException {
        try (ReadView view = db.view()) {
            return new Fsck(db, reader, inFlight, maxChainDepth).check(view);
        }
    }

    private FsckReport check(ReadView view) throws IOException {
        db.scan(Column.META, view, cursor -> {
            for (cursor.seekToFirst(); cursor.valid(); cursor.next()) {
                checkTensor(view, cursor.key(), cursor.value());
            }
            return null;
        });
        checkAccess(view);
        Orphans.Found orphans = Orphans.find(db, view, inFlight);
        checkBlobOwners(view);
        return new FsckReport(tensors, bytesDecoded, accessEntries, problems, orphans.blobs().size(),
                orphans.bytes(), encodedBytes, patches);
    }

    private void checkTensor(ReadView view, byte[] key, byte[] value) throws IOException {
        tensors++;
        if (key.length != Keys.DIGEST_BYTES) {
            problem(null, "meta key " + hex(key) + " is not a tensor id");
            return;
        }
        TensorId id = TensorId.ofDigest(key);
        stored.add(id);
        MetaRecord record;
        try {
            record = MetaRecord.decode(id, value);
        } catch (CorruptStoreException e) {
            problem(id, e.getMessage());
            return;
        }
        TensorMeta meta = record.meta();
        encodedBytes += meta.encodedBytes();
        if (meta.base() != null) {
            patches++;
        }
        TensorId sharing = blobOwners.putIfAbsent(record.blob(), id);
        if (sharing != null) {
            problem(id, "its blob " + record.blob() + " is also the blob of " + sharing);
        }
        if (meta.chainDepth() > maxChainDepth) {
            problem(id, "chain depth " + meta.chainDepth() + " is over the store's limit of " + maxChainDepth);
        }
        if (meta.base() != null && !checkBase(view, meta)) {
            checkBlobLength(view, record);
            return;
        }
        decode(view, record);
    }

    /** Whether the base is there to decode against; reports what is wrong with the link. */
    private boolean checkBase(ReadView view, TensorMeta meta) throws IOException {
        Optional<MetaRecord> base;
        try {
            base = db.meta(view, meta.base());
        } catch (CorruptStoreException e) {
            problem(meta.id(), "its base " + meta.base() + " has an unreadable meta record");
            return false;
        }
        if (base.isEmpty()) {
            problem(meta.id(), "its base " + meta.base() + " is not stored");
            return false;
        }
        int baseDepth = base.get().meta().chainDepth();
        if (meta.chainDepth() != baseDepth + 1) {
            problem(meta.id(), "chain depth " + meta.chainDepth() + ", but its base " + meta.base() + " has depth "
                    + baseDepth);
        }
        return true;
    }

    private void decode(ReadView view, MetaRecord record) {
        TensorMeta meta = record.meta();
        ValueFlags flags = ValueFlags.of(meta.dtype());
        long count = 0;
        try (DecodingStream tensor = reader.decoded(view, record)) {
            byte[] buffer = new byte[READ_BUFFER];
            for (int n; (n = tensor.read(buffer, 0, buffer.length)) >= 0; ) {
                flags.update(buffer, 0, n);
                count += n;
            }
            tensor.verifiedId();
        } catch (IOException | RuntimeException e) {
            // Whatever the cause, in this tensor's blob or in its chain, the tensor cannot be read.
            problem(meta.id(), "does not decode: " + e.getMessage());
            return;
        }
        bytesDecoded += count;
        if (count != meta.size()) {
            problem(meta.id(), "decodes to " + count + " bytes, but its record says " + meta.size());
        }
        if (flags.hasNaN() != meta.hasNaN() || flags.hasInf() != meta.hasInf()) {
            problem(meta.id(), "holds NaN " + flags.hasNaN() + ", Inf " + flags.hasInf() + ", but its record says NaN "
                    + meta.hasNaN() + ", Inf " + meta.hasInf());
        }
    }

    /** For a tensor that cannot be decoded for want of its base: at least its own bytes are all there. */
    private void checkBlobLength(ReadView view, MetaRecord record) {
        TensorMeta meta = record.meta();
        try (InputStream in = new BlobInputStream(db, view, record.blob(), meta.encodedBytes(), meta.id().toString())) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            problem(meta.id(), e.getMessage());
        }
    }

    private void checkAccess(ReadView view) throws IOException {
        db.scan(Column.ACCESS, view, cursor -> {
            for (cursor.seekToFirst(); cursor.valid(); cursor.next()) {
                accessEntries++;
                byte[] key = cursor.key();
                if (!Keys.isAccessKey(key)) {
                    problem(null, "access key " + hex(key) + " is not a repository name, NUL and a tensor id");
                } else if (!stored.contains(Keys.accessTensor(key))) {
                    problem(Keys.accessTensor(key), "repository '" + Keys.accessRepository(key)
                            + "' may read it, but it is not stored");
                }
            }
            return null;
        });
    }

    /**
     * Every blob must belong to a meta record or to a pending upload. One that belongs to neither is no orphan that
     * gc would find: the store lost track of it. Each blob costs one seek.
     */
    private void checkBlobOwners(ReadView view) throws IOException {
        Set<BlobKey> pending = new HashSet<>();
        db.scan(Column.PENDING, view, cursor -> {
            for (cursor.seekToFirst(); cursor.valid(); cursor.next()) {
                if (cursor.key().length == BlobKey.LENGTH) {
                    pending.add(BlobKey.of(cursor.key()));
                }
            }
            return null;
        });
        db.scan(Column.BLOBS, view, cursor -> {
            cursor.seekToFirst();
            while (cursor.valid()) {
                byte[] key = cursor.key();
                if (key.length != Keys.PIECE_KEY_BYTES) {
                    problem(null, "blobs key " + hex(key) + " is not a blob key and a piece index");
                    cursor.next();
                    continue;
                }
                BlobKey blob = BlobKey.prefixOf(key);
                if (!blobOwners.containsKey(blob) && !pending.contains(blob)) {
                    problem(null, "blob " + blob + " belongs to no stored tensor and no upload");
                }
                cursor.seek(Keys.blobEnd(blob));
            }
            return null;
        });
    }

    private void problem(TensorId tensor, String what) {
        problems.add(new FsckReport.Problem(tensor, what));
    }

    private static String hex(byte[] key) {
        return HexFormat.of().formatHex(key, 0, Math.min(key.length, 64)) + (key.length > 64 ? "..." : "");
    }
}
