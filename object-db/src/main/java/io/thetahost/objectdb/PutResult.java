package io.thetahost.objectdb;

import io.thetahost.codec.format.EncodingKind;
import io.thetahost.protocol.tensor.TensorId;

/**
 * What {@link TensorStore#put} did with a verified upload.
 *
 * @param storedKind how the tensor is stored now (dense when a patch was re-encoded, or the earlier copy's kind)
 * @param storedBytes the stored encoding's length
 */
public record PutResult(TensorId id, Status status, EncodingKind storedKind, long storedBytes) {

    /** Whether this upload stored the tensor or found it stored already (then only the grant was added). */
    public enum Status { STORED, ALREADY_STORED }
}
