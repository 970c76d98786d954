package io.thetahost.protocol.pktline;

import java.io.IOException;

/** Input that is not a valid pkt-line; the message says what was found. */
public final class MalformedPacketException extends IOException {
    private final byte[] consumed;

    public MalformedPacketException(String message, byte[] consumed) {
        super(message);
        this.consumed = consumed.clone();
    }

    /** The bytes read from the stream before the problem was seen, for callers that pass input on untouched. */
    public byte[] consumed() {
        return consumed.clone();
    }
}
