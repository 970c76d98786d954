package io.thetahost.protocol.transfer;

import java.io.IOException;

/**
 * A theta transfer exchange that breaks the protocol: a request or response that does not parse, exceeds a limit,
 * frames an object wrongly or ends early; also an object written with other than its declared number of bytes. The
 * message says what was wrong and where, so that it can be shown to a person (a server sends it back in an
 * {@code error} line). After one of these the stream is out of step and the exchange cannot continue.
 */
public class TransferProtocolException extends IOException {
    public TransferProtocolException(String message) {
        super(message);
    }

    public TransferProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
