package io.thetahost.http.files;

import io.thetahost.http.io.ResponseOutputStream;
import io.thetahost.http.read.FileContent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * Sends a file's content for GET and HEAD (on a worker thread): {@code ETag}, {@code Content-Length},
 * {@code Accept-Ranges}, a single {@code Range} answered with 206 (only what the range covers is rebuilt),
 * {@code If-None-Match} with 304 and {@code If-Range}.
 *
 * <p>A tracked checkpoint's tensors are checked against their ids while they stream. The last byte of the body is held
 * back until the whole content has been written and checked: a failure then cuts the connection one byte short, so no
 * client can take a body that failed its check for a complete one.
 */
public final class FileResponse {
    private FileResponse() {
    }

    /**
     * @param sha256 the file's sha256 (hex), sent as the ETag
     * @param headers more headers to send with any answer (the Hugging Face ones)
     */
    public static void send(HttpServerRequest request, FileContent content, String sha256,
            Map<String, String> headers) throws IOException {
        HttpServerResponse response = request.response();
        String etag = "\"" + sha256 + "\"";
        headers.forEach(response::putHeader);
        response.putHeader("ETag", etag);
        response.putHeader("Accept-Ranges", "bytes");
        response.putHeader("Cache-Control", "no-cache");
        String noneMatch = request.getHeader("If-None-Match");
        if (noneMatch != null && matches(noneMatch, etag)) {
            response.setStatusCode(304).end();
            return;
        }
        long size = content.size();
        String ifRange = request.getHeader("If-Range");
        ByteRange.Asked asked = ifRange != null && !ifRange.strip().equals(etag)
                ? new ByteRange.Whole() : ByteRange.parse(request.getHeader("Range"), size);
        ByteRange range;
        if (asked instanceof ByteRange.Unsatisfiable) {
            response.putHeader("Content-Range", "bytes */" + size);
            response.putHeader("Content-Type", "text/plain; charset=utf-8");
            response.setStatusCode(416).end("the range asked for is not within the file's " + size + " bytes\n");
            return;
        } else if (asked instanceof ByteRange.Part part) {
            range = part.range();
            response.setStatusCode(206);
            response.putHeader("Content-Range", "bytes " + range.from() + "-" + (range.to() - 1) + "/" + size);
        } else {
            range = new ByteRange(0, size);
            response.setStatusCode(200);
        }
        response.putHeader("Content-Type", "application/octet-stream");
        response.putHeader("Content-Length", Long.toString(range.length()));
        if (request.method() == HttpMethod.HEAD || range.length() == 0) {
            response.end();
            return;
        }
        HeldBackLastByte out = new HeldBackLastByte(new ResponseOutputStream(response));
        try {
            content.write(out, range.from(), range.to());
            out.release();
        } catch (IOException | RuntimeException e) {
            response.reset();
            throw e;
        }
        response.end();
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.strip();
            if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    /** Passes every byte on but the last one written, until {@link #release}. */
    private static final class HeldBackLastByte extends FilterOutputStream {
        private boolean holding;
        private byte held;

        HeldBackLastByte(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            if (holding) {
                out.write(new byte[] {held}, 0, 1);
            }
            out.write(b, off, len - 1);
            held = b[off + len - 1];
            holding = true;
        }

        @Override
        public void flush() {
            // The response is flushed as it is written; holding the last byte back is the point.
        }

        void release() throws IOException {
            if (holding) {
                out.write(new byte[] {held}, 0, 1);
                holding = false;
            }
        }
    }
}
