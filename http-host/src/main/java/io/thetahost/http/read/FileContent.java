package io.thetahost.http.read;

import io.thetahost.protocol.manifest.Manifest;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/** The bytes of a file at a revision, as a reader downloads it: a tracked checkpoint rebuilt, or a blob as it is. */
public interface FileContent {
    /** The file's size in bytes. */
    long size();

    /**
     * What identifies the bytes, for keeping their sha256 ({@link FileDigests}): the same key always means the same
     * bytes.
     */
    String digestKey();

    /**
     * Writes bytes {@code from} (inclusive) to {@code to} (exclusive). A tracked checkpoint's tensors are checked
     * against their ids as they are written; on an exception what was written must be discarded.
     */
    void write(OutputStream out, long from, long to) throws IOException;

    /** The manifest this file is rebuilt from, for a tracked checkpoint. */
    Optional<Manifest> manifest();
}
