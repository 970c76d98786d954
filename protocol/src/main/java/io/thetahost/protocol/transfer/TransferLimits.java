package io.thetahost.protocol.transfer;

/**
 * What one request may ask of a server, advertised by the {@code capabilities} command; a client also uses
 * {@link #maxObjectBytes()} for the largest object it accepts in a download response. The length of a line is not
 * configurable: it is the pkt-line maximum (65516 payload bytes, the newline included).
 *
 * @param maxIds the most ids in one lookup, and separately the most wants and the most haves in one download
 * @param maxObjectBytes the most bytes of one object's encoding
 * @param maxObjects the most objects in one upload
 */
public record TransferLimits(int maxIds, long maxObjectBytes, int maxObjects) {
    /** 10000 ids, 64 GiB per object, 10000 objects per upload. */
    public static final TransferLimits DEFAULTS = new TransferLimits(10_000, 64L << 30, 10_000);

    public TransferLimits {
        if (maxIds < 1 || maxObjectBytes < 1 || maxObjects < 1) {
            throw new IllegalArgumentException("transfer limits must be positive: " + maxIds + " ids, "
                    + maxObjectBytes + " object bytes, " + maxObjects + " objects");
        }
    }
}
