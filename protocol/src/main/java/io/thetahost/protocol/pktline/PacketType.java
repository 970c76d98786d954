package io.thetahost.protocol.pktline;

/** What a pkt-line is: data, or one of the special zero-payload packets. */
public enum PacketType {
    /** {@code 0000}: ends a message or a section. */
    FLUSH,
    /** {@code 0001}: separates sections (protocol v2). */
    DELIM,
    /** {@code 0002}: ends a response (protocol v2, stateless). */
    RESPONSE_END,
    /** A length-prefixed payload. */
    DATA
}
