package io.thetahost.protocol.transfer;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.TensorId;
import io.thetahost.protocol.tensor.Shape;

/** One item of a response, as {@link ResponseReader} yields them. */
public sealed interface ResponseEvent {

    /** A {@code progress <text>} line, for the client to show on stderr. May come anywhere. */
    record Progress(String text) implements ResponseEvent {
    }

    /** A whole {@code capabilities} response, yielded at its final flush. */
    record Capabilities(ServerCapabilities capabilities) implements ResponseEvent {
    }

    /**
     * Lookup: {@code present <id> <dtype> <shape> <size>}, the tensor is stored and readable through this
     * repository; {@code size} is its raw size in bytes.
     */
    record Present(TensorId id, DType dtype, Shape shape, long size) implements ResponseEvent {
    }

    /** Lookup or download: {@code missing <id>}, not stored or not readable through this repository. */
    record Missing(TensorId id) implements ResponseEvent {
    }

    /** Upload: {@code stored <id>}, decoded, verified and newly stored. */
    record Stored(TensorId id) implements ResponseEvent {
    }

    /** Upload: {@code present <id>}, already stored; now readable through this repository too. */
    record AlreadyPresent(TensorId id) implements ResponseEvent {
    }

    /** Upload: {@code rejected <id> <reason>}, not stored. */
    record Rejected(TensorId id, String reason) implements ResponseEvent {
    }

    /**
     * Download: an object. The body yields exactly {@code header.length()} bytes; whatever the caller leaves unread
     * is skipped at the next {@link ResponseReader#next()}. The bytes are unverified: the decoder checks the id.
     */
    record EncodedObject(EncodedObjectHeader header, ObjectBody body) implements ResponseEvent {
    }

    /** {@code error <message>}: the server gave up on the request; {@link End} follows. */
    record ServerError(String message) implements ResponseEvent {
    }

    /** The final flush, after which the input ended; every later call yields it again. */
    record End() implements ResponseEvent {
    }
}
