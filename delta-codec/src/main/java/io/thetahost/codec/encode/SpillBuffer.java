package io.thetahost.codec.encode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Holds an encoding while the encoder compares candidates: in memory up to a threshold, then in a temporary file, so
 * a candidate for a huge tensor costs disk, not heap.
 */
public final class SpillBuffer extends OutputStream {
    private final long memoryLimit;
    private ByteArrayOutputStream memory = new ByteArrayOutputStream();
    private Path file;
    private OutputStream fileOut;
    private long size;

    public SpillBuffer(long memoryLimit) {
        this.memoryLimit = memoryLimit;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (fileOut == null && size + len > memoryLimit) {
            file = Files.createTempFile("thetahost-encoding-", ".tenc");
            fileOut = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            memory.writeTo(fileOut);
            memory = null;
        }
        if (fileOut != null) {
            fileOut.write(b, off, len);
        } else {
            memory.write(b, off, len);
        }
        size += len;
    }

    public long size() {
        return size;
    }

    /** The bytes written, from the start. */
    public InputStream open() throws IOException {
        if (fileOut != null) {
            fileOut.flush();
            return new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16);
        }
        return new ByteArrayInputStream(memory.toByteArray());
    }

    /** The bytes written, for encodings small enough to hold. */
    public byte[] toByteArray() throws IOException {
        try (InputStream in = open()) {
            return in.readAllBytes();
        }
    }

    @Override
    public void close() throws IOException {
        if (fileOut != null) {
            fileOut.close();
            Files.deleteIfExists(file);
            fileOut = null;
        }
    }
}
