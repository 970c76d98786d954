package io.thetahost.protocol.transfer;

/** The names and constants both ends and both transports share (PROTOCOL.md). */
public final class TransferProtocol {
    /** The protocol's name, the first word of every request and response. */
    public static final String NAME = "theta-transfer";
    /** The one version this implementation speaks. */
    public static final int VERSION = 1;
    /** The first line of every request and response, without its newline. */
    public static final String VERSION_LINE = NAME + " " + VERSION;
    /** The SSH exec command: {@code theta-transfer '/OWNER/NAME.git'}. */
    public static final String SSH_COMMAND = NAME;
    /** The last path segment of the HTTP endpoint: {@code POST /OWNER/NAME.git/theta-transfer}. */
    public static final String HTTP_SERVICE = NAME;
    /** The Content-Type of an HTTP request body. */
    public static final String REQUEST_CONTENT_TYPE = "application/x-theta-transfer-request";
    /** The Content-Type of an HTTP response body. */
    public static final String RESULT_CONTENT_TYPE = "application/x-theta-transfer-result";

    private TransferProtocol() {
    }
}
