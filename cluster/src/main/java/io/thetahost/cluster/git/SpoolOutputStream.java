package io.thetahost.cluster.git;

import io.thetahost.cluster.objects.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;
import org.eclipse.jgit.internal.storage.dfs.DfsOutputStream;

/**
 * A pack file (or its index, bitmap, ...) as JGit writes it: spooled to a local temporary file, so that memory stays
 * bounded whatever the pack's size, and uploaded whole to the object store when closed. JGit reads back what it wrote
 * while it resolves deltas ({@link #read}), which the file serves. The upload is the object store's whole-or-nothing
 * put; the temporary file is removed either way.
 */
final class SpoolOutputStream extends DfsOutputStream {
    private static final int BUFFER_BYTES = 64 << 10;

    private final ObjectStore store;
    private final String key;
    private final LongConsumer uploaded;
    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    private long length;
    private boolean closed;

    /**
     * @param uploaded told the object's size once it is stored
     */
    SpoolOutputStream(Path spool, ObjectStore store, String key, LongConsumer uploaded) throws IOException {
        this.store = store;
        this.key = key;
        this.uploaded = uploaded;
        this.file = Files.createTempFile(spool, "upload-", ".spool");
        try {
            this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    @Override
    public int blockSize() {
        return RangedChannel.BLOCK_BYTES;
    }

    @Override
    public void write(byte[] bytes, int offset, int count) throws IOException {
        ensureOpen();
        if (count >= BUFFER_BYTES) {
            flushBuffer();
            writeFully(ByteBuffer.wrap(bytes, offset, count));
        } else {
            if (count > buffer.remaining()) {
                flushBuffer();
            }
            buffer.put(bytes, offset, count);
        }
        length += count;
    }

    @Override
    public int read(long position, ByteBuffer into) throws IOException {
        ensureOpen();
        flushBuffer();
        if (position >= length) {
            return -1;
        }
        return channel.read(into, position);
    }

    private void flushBuffer() throws IOException {
        buffer.flip();
        writeFully(buffer);
        buffer.clear();
    }

    private void writeFully(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException(key + " is closed");
        }
    }

    /** Uploads the file; a second close (JGit closes again after a failure) does nothing. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            flushBuffer();
            channel.close();
            try (InputStream in = Files.newInputStream(file)) {
                store.put(key, in, length);
            }
            uploaded.accept(length);
        } finally {
            channel.close();
            Files.deleteIfExists(file);
        }
    }
}
