package io.thetahost.http.read;

import io.thetahost.protocol.manifest.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;

/** A file git holds as it is (not a tracked checkpoint), streamed from the blob. */
final class BlobContent implements FileContent {
    private final ObjectReader reader;
    private final ObjectId blob;
    private final long size;

    BlobContent(ObjectReader reader, ObjectId blob, long size) {
        this.reader = reader;
        this.blob = blob;
        this.size = size;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String digestKey() {
        return "blob-" + blob.name();
    }

    @Override
    public void write(OutputStream out, long from, long to) throws IOException {
        try (InputStream in = reader.open(blob, Constants.OBJ_BLOB).openStream()) {
            in.skipNBytes(from);
            byte[] buffer = new byte[64 * 1024];
            for (long left = to - from; left > 0; ) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException("blob " + blob.name() + " ends before its size");
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
        out.flush();
    }

    @Override
    public Optional<Manifest> manifest() {
        return Optional.empty();
    }
}
