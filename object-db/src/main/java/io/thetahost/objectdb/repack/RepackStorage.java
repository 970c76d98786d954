package io.thetahost.objectdb.repack;

import io.thetahost.codec.encode.SpillBuffer;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link Repacker} needs of a tensor store, so that both stores repack by the same rules (object-db/STORE.md,
 * Repack): which tensors are stored and how, whether a patch would fit the chains, the tensors' bytes, and a commit
 * that writes a re-encoding, verifies it and swaps it in. Choosing targets and bases, encoding and judging the
 * savings are {@link Repacker}'s, the same for every store.
 */
public interface RepackStorage {

    /** The stored tensors among {@code ids}, as they are now; one whose record does not parse is absent. */
    Map<TensorId, TensorMeta> stored(Set<TensorId> ids) throws IOException;

    /**
     * Whether {@code target} may become a patch against {@code base}: the base is stored, its chain does not pass
     * through the target (no loop) nor through a record that does not parse, and the base's chain plus one, plus how
     * far the deepest tensor whose chain passes through the target lies below it, stays within {@code maxDepth}. An
     * answer for planning; the commit checks again.
     */
    boolean fits(TensorId target, TensorId base, int maxDepth) throws IOException;

    /** The tensor's raw bytes, decoded from the store; the stream checks the id at its end. */
    InputStream open(TensorId id) throws IOException;

    /**
     * Writes {@code encoding}, a {@code kind} patch of {@code target} (found stored dense) against {@code base},
     * decodes what was written and checks it against the target's id, and then, if against the store as it is at
     * that moment the target is still stored dense and the patch still {@link #fits}, makes it the tensor's stored
     * encoding in one atomic, durable commit (the tensors below the target moving down with it). Whatever it wrote
     * and did not commit it removes (or leaves to gc).
     *
     * @return the tensor's meta as now stored; empty if the store changed so that the target stays as it is
     * @throws IOException if the store fails, or the re-encoding does not decode to the target (a bug: nothing is
     *     committed)
     */
    Optional<TensorMeta> replace(TensorMeta target, TensorId base, EncodingKind kind, SpillBuffer encoding)
            throws IOException;
}
