package io.thetahost.protocol.transfer;

/** One object of an upload request as the server reads it: its header and a stream of exactly its bytes. */
public record IncomingObject(ObjectHeader header, ObjectBody body) {
}
