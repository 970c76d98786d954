package io.thetahost.protocol.transfer;

import io.thetahost.protocol.tensor.TensorId;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code want} line of a download: a tensor the client lacks and, optionally, tensors it holds for the same
 * parameter (its versions, the best guess first), which the server may encode against. A client sends more than one
 * base only to a server that advertises {@code want-bases}.
 */
public record Want(TensorId id, List<TensorId> bases) {
    /** The most bases one want may name: what this server reads and advertises. */
    public static final int MAX_BASES = 4;

    public Want {
        Objects.requireNonNull(id, "id");
        bases = List.copyOf(Objects.requireNonNull(bases, "bases"));
        if (bases.size() > MAX_BASES) {
            throw new IllegalArgumentException("want " + id + " names " + bases.size() + " bases (at most "
                    + MAX_BASES + ")");
        }
        if (bases.contains(id)) {
            throw new IllegalArgumentException("want " + id + " names itself as its base");
        }
        if (new HashSet<>(bases).size() != bases.size()) {
            throw new IllegalArgumentException("want " + id + " names a base twice");
        }
    }

    /** The first base, the client's best guess. */
    public Optional<TensorId> base() {
        return bases.isEmpty() ? Optional.empty() : Optional.of(bases.get(0));
    }

    /** This want with at most {@code count} of its bases, the first ones. */
    public Want withAtMostBases(int count) {
        return bases.size() <= count ? this : new Want(id, bases.subList(0, count));
    }

    public static Want of(TensorId id) {
        return new Want(id, List.of());
    }

    public static Want of(TensorId id, TensorId base) {
        return new Want(id, List.of(base));
    }

    public static Want of(TensorId id, List<TensorId> bases) {
        return new Want(id, bases);
    }
}
