package io.thetahost.hooks.transport;

import java.time.Instant;

/**
 * One git request as the request log shows it. The line is {@code key=value} pairs in a fixed order so that people
 * can grep it and programs can split it.
 *
 * @param repository the name as requested, or "-" when the request named none
 * @param service the git service, or "-" when the request named none
 * @param result {@code ok}, or a short word for what went wrong ({@code not-found}, {@code unauthorized},
 *     {@code forbidden}, {@code bad-request}, {@code error})
 * @param detail a message for a person, or empty
 */
public record RequestRecord(
        Instant time,
        String transport,
        String user,
        String repository,
        String service,
        int protocolVersion,
        long bytesIn,
        long bytesOut,
        long millis,
        String result,
        String detail) {

    public String toLine() {
        StringBuilder b = new StringBuilder(160)
                .append(time)
                .append(" transport=").append(transport)
                .append(" user=").append(user)
                .append(" repo=").append(repository)
                .append(" service=").append(service)
                .append(" protocol=").append(protocolVersion)
                .append(" in=").append(bytesIn)
                .append(" out=").append(bytesOut)
                .append(" ms=").append(millis)
                .append(" result=").append(result);
        if (!detail.isEmpty()) {
            b.append(" detail=\"").append(oneLine(detail)).append('"');
        }
        return b.toString();
    }

    /** Clients' words reach the detail: no quote may end it early, and no control character may forge a line. */
    private static String oneLine(String detail) {
        StringBuilder b = new StringBuilder(detail.length());
        for (char c : detail.toCharArray()) {
            b.append(c == '"' ? '\'' : Character.isISOControl(c) ? ' ' : c);
        }
        return b.toString();
    }
}
