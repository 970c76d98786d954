package io.thetahost.cluster.tensors;

import io.thetahost.protocol.tensor.TensorId;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * Names of tensor encodings in the object store: {@code tensors/<id hex>/<uuid>}, fresh for every upload, so two
 * fronts uploading one tensor at once never write the same object, and an object gc deletes is never one a newer row
 * names. The uuid is a version 7 one (its first 48 bits are the upload's time in milliseconds): the object store
 * lists keys without their age, and gc must know an unnamed object's age to leave alone one whose upload may still
 * be about to name it.
 */
final class ObjectKeys {
    static final String PREFIX = "tensors/";

    private ObjectKeys() {
    }

    static String fresh(TensorId id, Instant now) {
        UUID random = UUID.randomUUID();
        long msb = (now.toEpochMilli() << 16) | 0x7000L | (random.getMostSignificantBits() & 0xfffL);
        return prefix(id) + new UUID(msb, random.getLeastSignificantBits());
    }

    /** Where every object of one tensor is: {@code tensors/<id hex>/}. */
    static String prefix(TensorId id) {
        return PREFIX + HexFormat.of().formatHex(id.digest()) + "/";
    }

    /**
     * Whether a listed key can be an encoding: some S3-compatible servers (s3proxy's filesystem backend) list the
     * folders {@code tensors/<id hex>/} as empty objects, which no upload wrote and nothing should delete.
     */
    static boolean isEncoding(String key) {
        return key.startsWith(PREFIX) && !key.endsWith("/");
    }

    /** When the upload that chose this key started; empty for a key this store did not make. */
    static Optional<Instant> timeOf(String key) {
        int slash = key.lastIndexOf('/');
        if (!key.startsWith(PREFIX) || slash < 0) {
            return Optional.empty();
        }
        try {
            UUID uuid = UUID.fromString(key.substring(slash + 1));
            return uuid.version() == 7 ? Optional.of(Instant.ofEpochMilli(uuid.getMostSignificantBits() >>> 16))
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
