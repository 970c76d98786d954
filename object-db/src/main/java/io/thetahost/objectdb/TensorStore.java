package io.thetahost.objectdb;

import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.objectdb.fsck.FsckReport;
import io.thetahost.objectdb.gc.GcReport;
import io.thetahost.objectdb.repack.Neighbours;
import io.thetahost.objectdb.repack.RepackReport;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A tensor store (docs/DESIGN.md section 2): encodings content-addressed by tensor id and shared by every repository,
 * with per-repository read access. Nothing becomes visible before it has been decoded and its id verified; nothing
 * acknowledged is lost. Safe for many threads.
 *
 * <p>Two implementations: {@link RocksTensorStore} (one process, RocksDB under one directory: the embedded daemon and
 * the client's {@code .git/theta/}) and the cluster module's store over PostgreSQL and an object store, which several
 * fronts share (docs/CLUSTER.md).
 */
public interface TensorStore extends AutoCloseable {

    StoreOptions options();

    /**
     * What the store knows of a tensor; present only when the tensor is fully stored.
     *
     * @throws UncheckedIOException if the store cannot be read
     */
    Optional<TensorMeta> meta(TensorId id);

    /**
     * Whether {@code repository} may read the tensor: it uploaded it, or was granted it, and it is stored.
     *
     * @throws UncheckedIOException if the store cannot be read
     */
    boolean readable(String repository, TensorId id);

    /**
     * Lets {@code repository} read a stored tensor (a fork, a push that references a tensor another repository
     * uploaded); durable when this returns.
     *
     * @throws IOException if the tensor is not stored, or the write fails
     */
    void grant(String repository, TensorId id) throws IOException;

    /**
     * Stores an uploaded encoding. Decodes it (its base read from this store; the base must be stored and readable
     * by {@code repository}, else {@link InvalidEncodingException} "base ... is not available"), verifies the
     * declared id, then makes the tensor visible and readable by {@code repository} in one atomic, durable write. If
     * the tensor is already stored, only the grant is added (the upload is verified all the same). A patch that would
     * make its chain deeper than {@link StoreOptions#maxChainDepth()} is stored re-encoded dense. The stream is read
     * to its end and not closed.
     *
     * @throws InvalidEncodingException for an upload that does not decode to its declared id; nothing is stored
     * @throws IOException if the store fails; nothing becomes visible
     */
    PutResult put(InputStream encoding, String repository) throws IOException;

    /**
     * The tensor's raw bytes, decoded while read, with bounded memory whatever the chain; the stream checks the id
     * at its end. Close it: it holds a consistent view of the store.
     */
    Optional<InputStream> open(TensorId id) throws IOException;

    /** The stored encoding itself, to send as is to a client that holds its base. Close it after use. */
    Optional<StoredEncoding> encoding(TensorId id) throws IOException;

    /**
     * Decodes every stored tensor and checks every record, while uploads and gc may go on. Problems are in the
     * report; an {@link UncheckedIOException} only if the store cannot be read at all.
     */
    FsckReport fsck();

    /**
     * Deletes every tensor that is not in {@code live}, not stored after {@code keepStoredAfter}, and not a base that
     * a kept tensor's chain needs, with its encoding and grants, and what interrupted uploads left. Uploads go on
     * meanwhile and are never lost to it.
     *
     * @param live the ids the manifests of every ref of every repository reference
     * @throws UncheckedIOException if the store fails (what was swept before stays swept, consistently)
     */
    GcReport gc(Set<TensorId> live, Instant keepStoredAfter);

    /**
     * Re-encodes tensors stored dense as patches against a neighbour in history where that saves at least 10% and
     * 4 KiB (object-db/STORE.md, Repack). Uploads, reads and fsck go on meanwhile; each re-encoding is verified
     * before it is committed. One repack at a time.
     *
     * @param neighbours pairs of versions of one parameter that neighbour in some repository's history
     * @param progress told now and then how far it is
     * @throws IOException if another repack is running, or the store fails (what was committed stays, consistently)
     */
    RepackReport repack(Collection<Neighbours> neighbours, Consumer<String> progress) throws IOException;

    /** Releases open streams' views (reading them fails from now on) and closes. */
    @Override
    void close();
}
