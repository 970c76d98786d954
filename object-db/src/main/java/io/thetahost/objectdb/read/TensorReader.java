package io.thetahost.objectdb.read;

import io.thetahost.codec.decode.BaseLookup;
import io.thetahost.codec.decode.BaseTensor;
import io.thetahost.codec.decode.DecodingStream;
import io.thetahost.codec.format.DecodeLimits;
import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.objectdb.StoredEncoding;
import io.thetahost.objectdb.StoreOptions;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.store.CorruptStoreException;
import io.thetahost.objectdb.store.MetaRecord;
import io.thetahost.objectdb.store.ReadView;
import io.thetahost.objectdb.store.StoreDb;
import io.thetahost.protocol.tensor.TensorId;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * Stored tensors as streams of their raw bytes, decoded while read: a patch's stream pulls its base's, which pulls
 * its own, so memory is about one chunk and one piece per chain level whatever the tensor's size. The whole chain is
 * read through one {@link ReadView}, and every stream checks the id at its end.
 */
public final class TensorReader {
    /** Deeper than any store writes: a chain this long is a loop in corrupt records. */
    private static final int CHAIN_GUARD = StoreOptions.MAX_CHAIN_DEPTH + 1;

    private final StoreDb db;
    private final DecodeLimits limits;

    public TensorReader(StoreDb db, DecodeLimits limits) {
        this.db = db;
        this.limits = limits;
    }

    /** The tensor's raw bytes, read through a view of its own that closing the stream releases. */
    public Optional<InputStream> open(TensorId id) throws IOException {
        ReadView view = db.view();
        try {
            Optional<MetaRecord> record = db.meta(view, id);
            if (record.isEmpty()) {
                view.close();
                return Optional.empty();
            }
            return Optional.of(new ViewStream(decoded(view, record.get()), view));
        } catch (IOException | RuntimeException e) {
            view.close();
            throw e;
        }
    }

    /** The stored encoding as it is, through a view of its own that closing the stream releases. */
    public Optional<StoredEncoding> encoding(TensorId id) throws IOException {
        ReadView view = db.view();
        try {
            Optional<MetaRecord> record = db.meta(view, id);
            if (record.isEmpty()) {
                view.close();
                return Optional.empty();
            }
            TensorMeta meta = record.get().meta();
            InputStream bytes = new BlobInputStream(db, view, record.get().blob(), meta.encodedBytes(), id.toString());
            return Optional.of(new StoredEncoding(meta, new ViewStream(bytes, view)));
        } catch (IOException | RuntimeException e) {
            view.close();
            throw e;
        }
    }

    /** A stored tensor decoded through {@code view}, which the caller keeps open while it reads. */
    public DecodingStream decoded(ReadView view, MetaRecord record) throws IOException {
        return decoded(view, record, 0);
    }

    /**
     * At depth 0 the tensor asked for, checked against its id; deeper, a base of it, decoded unchecked
     * ({@link DecodingStream#openAsBase}): the check at depth 0 covers the whole chain.
     */
    private DecodingStream decoded(ReadView view, MetaRecord record, int depth) throws IOException {
        TensorMeta meta = record.meta();
        if (depth > CHAIN_GUARD) {
            throw new CorruptStoreException("the chain through " + meta.id() + " is deeper than " + CHAIN_GUARD
                    + " (its records loop)");
        }
        InputStream blob = new BlobInputStream(db, view, record.blob(), meta.encodedBytes(), meta.id().toString());
        BaseLookup bases = baseId -> {
            Optional<MetaRecord> base = db.meta(view, baseId);
            if (base.isEmpty()) {
                return Optional.empty();
            }
            TensorMeta b = base.get().meta();
            return Optional.of(new BaseTensor(b.dtype(), b.shape(), decoded(view, base.get(), depth + 1)));
        };
        DecodingStream stream = depth == 0 ? DecodingStream.open(blob, bases, limits)
                : DecodingStream.openAsBase(blob, bases, limits);
        EncodingHeader h = stream.header();
        if (!h.target().equals(meta.id()) || h.kind() != meta.kind() || !Objects.equals(h.base(), meta.base())
                || h.dtype() != meta.dtype() || !h.shape().equals(meta.shape())) {
            stream.close();
            throw new CorruptStoreException("the stored encoding of " + meta.id() + " is a " + h.kind().displayName()
                    + " encoding of " + h.target() + (h.base() == null ? "" : " on " + h.base())
                    + ", not what its meta record says");
        }
        return stream;
    }

    /**
     * Bases for an upload: stored tensors that {@code readable} accepts, read through {@code view}; any other is
     * "not available" to the decoder.
     */
    public BaseLookup bases(ReadView view, Readable readable) {
        return baseId -> {
            if (!readable.test(baseId)) {
                return Optional.empty();
            }
            Optional<MetaRecord> base = db.meta(view, baseId);
            if (base.isEmpty()) {
                return Optional.empty();
            }
            TensorMeta b = base.get().meta();
            return Optional.of(new BaseTensor(b.dtype(), b.shape(), decoded(view, base.get(), 1)));
        };
    }

    /** Whether an uploader may use a tensor as a base. */
    public interface Readable {
        boolean test(TensorId id) throws IOException;
    }

    /** Closes the view with the stream. */
    private static final class ViewStream extends FilterInputStream {
        private final ReadView view;

        ViewStream(InputStream in, ReadView view) {
            super(in);
            this.view = view;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in.read(b, off, len);
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                view.close();
            }
        }
    }
}
