package io.thetahost.objectdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.objectdb.fsck.FsckReport;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pieces go around RocksDB's log and reach the disk only when their upload flushes them (StoreDb.putPiece). A full
 * disk makes the store reopen its database without flushing, so an upload that wrote pieces before the reopening
 * and goes on after it has lost them: it must fail and leave nothing visible, not commit a blob with pieces missing.
 * The disk is a real tmpfs that really fills.
 */
class FullDiskDuringUploadTest {
    private static final int DISK_MIB = 96;
    private static final StoreOptions OPTIONS = StoreOptions.defaults().withPieceBytes(1 << 20);
    private static final String REPOSITORY = "alice/m";

    @TempDir
    Path dir;
    private Path disk;
    private final ExecutorService uploads = Executors.newSingleThreadExecutor();

    @BeforeEach
    void mount() throws Exception {
        disk = dir.resolve("disk");
        Files.createDirectories(disk);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + DISK_MIB + "m", "tmpfs",
                disk.toString()).redirectErrorStream(true).start();
        String said = new String(mount.getInputStream().readAllBytes());
        Assumptions.assumeTrue(mount.waitFor() == 0, "skipped: this machine does not let the tests mount a tmpfs "
                + "(they run as root in CI): " + said.strip());
    }

    @AfterEach
    void unmount() throws Exception {
        uploads.shutdownNow();
        new ProcessBuilder("umount", "-l", disk.toString()).start().waitFor();
    }

    @Test
    void anUploadWhosePiecesWentWithAReopeningFailsAndCanBeSentAgain() throws Exception {
        GeneratedTensor a = new GeneratedTensor(1, 8);
        GeneratedTensor b = new GeneratedTensor(2, 2 * DISK_MIB);
        try (TensorStore store = RocksTensorStore.open(disk.resolve("store"), OPTIONS)) {
            // A stops half way: four pieces are written, in the memtable only.
            Gate gate = new Gate(a.denseEncoding(), 4 << 20);
            Future<PutResult> first = uploads.submit(() -> store.put(gate, REPOSITORY));
            assertTrue(gate.reached.await(60, TimeUnit.SECONDS), "the first upload read half its encoding");

            // B is larger than the disk: a flush fails, and the store's next write reopens the database.
            Path filler = disk.resolve("filler");
            fill(filler, 1 << 20);
            DiskFullException full = assertThrows(DiskFullException.class, () -> store.put(b.denseEncoding(),
                    REPOSITORY));
            assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());

            Files.delete(filler);
            gate.release.countDown();
            ExecutionException failed = assertThrows(ExecutionException.class, () -> first.get(60, TimeUnit.SECONDS));
            DiskFullException lost = assertInstanceOf(DiskFullException.class, failed.getCause());
            assertTrue(lost.getMessage().contains("send it again"), lost.getMessage());
            assertTrue(store.meta(a.id()).isEmpty(), "A is not visible");
            assertTrue(store.meta(b.id()).isEmpty(), "B is not visible");
            FsckReport afterFailures = store.fsck();
            assertTrue(afterFailures.problems().isEmpty(), afterFailures.toString());

            PutResult again = store.put(a.denseEncoding(), REPOSITORY);
            assertEquals(PutResult.Status.STORED, again.status());
            assertTrue(a.matches(store.open(a.id()).orElseThrow()), "A reads back whole");
        }
        try (TensorStore reopened = RocksTensorStore.open(disk.resolve("store"), OPTIONS)) {
            assertTrue(a.matches(reopened.open(a.id()).orElseThrow()), "A reads back after a reopening");
            assertTrue(reopened.fsck().isClean(), "fsck is clean");
        }
    }

    /** Passes the first {@code at} bytes of a stream, says so, and waits to be released before passing the rest. */
    private static final class Gate extends FilterInputStream {
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final long at;
        private long passed;

        Gate(InputStream in, long at) {
            super(in);
            this.at = at;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (passed >= at && release.getCount() > 0) {
                reached.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            int n = super.read(b, off, passed < at ? (int) Math.min(len, at - passed) : len);
            if (n > 0) {
                passed += n;
            }
            return n;
        }
    }

    /** Fills the filesystem of {@code file}, then gives back {@code leave} bytes. */
    private static void fill(Path file, int leave) throws IOException {
        byte[] chunk = new byte[64 << 10];
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            assertTrue(String.valueOf(full.getMessage()).contains("No space left"), full.toString());
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(Math.max(0, f.length() - leave));
        }
    }
}
