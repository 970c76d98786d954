package io.thetahost.hooks.upload;

import io.thetahost.protocol.pktline.Packet;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The answer to a stateless upload-pack request, cut after the shallow list when the request was a shallow probe
 * (see {@link FetchRequestStream}): git reads exactly that list and nothing more from such an answer.
 */
public final class ShallowProbeResponse extends FilterOutputStream {
    private final FetchRequestStream request;
    private final byte[] header = new byte[4];
    private int headerFill;
    private int payloadLeft;
    private boolean pastFirstFlush;
    private boolean notPktLines;

    public ShallowProbeResponse(OutputStream out, FetchRequestStream request) {
        super(out);
        this.request = request;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (pastFirstFlush) {
            if (!request.isShallowProbe()) {
                out.write(b, off, len);
            }
            return;
        }
        if (notPktLines) {
            out.write(b, off, len);
            return;
        }
        int i = off;
        int end = off + len;
        while (i < end && !pastFirstFlush && !notPktLines) {
            if (payloadLeft > 0) {
                int n = Math.min(payloadLeft, end - i);
                out.write(b, i, n);
                payloadLeft -= n;
                i += n;
                continue;
            }
            header[headerFill++] = b[i++];
            if (headerFill == 4) {
                out.write(header, 0, 4);
                headerFill = 0;
                int length = Packet.declaredLength(header);
                if (length < 0) {
                    notPktLines = true;
                } else if (length == 0) {
                    pastFirstFlush = true;
                } else if (length > 4) {
                    payloadLeft = length - 4;
                }
            }
        }
        if (i < end) {
            write(b, i, end - i);
        }
    }
}
