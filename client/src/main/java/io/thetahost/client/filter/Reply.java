package io.thetahost.client.filter;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The filter's answer to one file: success and the content, or an error, before or after part of the content (git
 * then discards what it received and reports the filter's failure).
 */
final class Reply {
    private final PacketChannel channel;
    private OutputStream content;
    private boolean done;

    Reply(PacketChannel channel) {
        this.channel = channel;
    }

    /** Says the filter succeeds so far and opens the content. Only once the request's content was read whole. */
    OutputStream begin() throws IOException {
        channel.writeList("status=success");
        content = channel.contentOut();
        return content;
    }

    /** Ends the content; the status stays success. */
    void finish() throws IOException {
        content.close();
        channel.writeList();
        done = true;
    }

    void fail() throws IOException {
        if (done) {
            return;
        }
        if (content != null) {
            content.close();
        }
        channel.writeList("status=error");
        done = true;
    }
}
