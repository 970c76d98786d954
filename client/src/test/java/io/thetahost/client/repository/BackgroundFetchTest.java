package io.thetahost.client.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.client.progress.Progress;
import io.thetahost.client.store.LocalStore;
import io.thetahost.protocol.manifest.Manifest;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkout writes each tensor once the download has stored it, and a download that fails or lacks a tensor fails
 * the writer with its reason. The "download" here stores a checkpoint into the real local store.
 */
class BackgroundFetchTest {
    @TempDir
    Path dir;

    private final ExecutorService writer = Executors.newSingleThreadExecutor();
    private LocalStore local;
    private byte[] checkpoint;
    private Manifest manifest;

    @BeforeEach
    void setUp() throws IOException {
        checkpoint = checkpoint();
        try (LocalStore elsewhere = LocalStore.open(dir.resolve("elsewhere"))) {
            manifest = elsewhere.add(new ByteArrayInputStream(checkpoint), "model", Progress.NONE);
        }
        local = LocalStore.open(dir.resolve("local"));
    }

    @AfterEach
    void tearDown() {
        writer.shutdownNow();
        local.close();
    }

    private TensorId tensor(int i) {
        return manifest.tensors().get(i).id();
    }

    @Test
    void aWriterWaitsUntilTheDownloadHasStoredTheTensor() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (BackgroundFetch fetch = BackgroundFetch.start(local, () -> { }, () -> {
            await(go);
            local.add(new ByteArrayInputStream(checkpoint), "model", Progress.NONE);
        })) {
            Future<?> waiting = writer.submit(() -> {
                fetch.awaitStored(tensor(1));
                return null;
            });
            Thread.sleep(200);
            assertFalse(waiting.isDone(), "the writer waits while the tensor is not stored");
            assertFalse(local.has(tensor(1)));
            go.countDown();
            waiting.get(30, TimeUnit.SECONDS);
            assertTrue(local.has(tensor(1)));
            fetch.finish();
            assertTrue(fetch.ended());
        }
    }

    @Test
    void aFailedDownloadFailsTheWaitingWriterWithItsReason() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (BackgroundFetch fetch = BackgroundFetch.start(local, () -> { }, () -> {
            await(go);
            throw new IOException("the connection to the server was lost");
        })) {
            Future<?> waiting = writer.submit(() -> {
                fetch.awaitStored(tensor(0));
                return null;
            });
            go.countDown();
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(30, TimeUnit.SECONDS));
            assertEquals("the connection to the server was lost", e.getCause().getMessage());
            IOException again = assertThrows(IOException.class, fetch::finish);
            assertEquals("the connection to the server was lost", again.getMessage());
        }
    }

    @Test
    void aDownloadThatEndsWithoutTheTensorSaysWhichOne() throws Exception {
        try (BackgroundFetch fetch = BackgroundFetch.start(local, () -> { }, () -> { })) {
            fetch.finish();
            IOException e = assertThrows(IOException.class, () -> fetch.awaitStored(tensor(0)));
            assertEquals("tensor " + tensor(0) + " was not downloaded", e.getMessage());
        }
    }

    @Test
    void closingWhileTheDownloadRunsAbortsIt() throws Exception {
        CountDownLatch aborted = new CountDownLatch(1);
        BackgroundFetch fetch = BackgroundFetch.start(local, aborted::countDown, () -> {
            await(aborted);
            throw new IOException("aborted");
        });
        long started = System.nanoTime();
        fetch.close();
        assertTrue(fetch.ended());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(20), "close ended the download");
        assertEquals("aborted", assertThrows(IOException.class, fetch::finish).getMessage());
    }

    @Test
    void nothingToFetchReturnsAtOnceForStoredTensors() throws Exception {
        local.add(new ByteArrayInputStream(checkpoint), "model", Progress.NONE);
        try (BackgroundFetch fetch = BackgroundFetch.nothingToFetch(local)) {
            fetch.awaitStored(tensor(0));
            fetch.awaitStored(tensor(1));
            fetch.finish();
        }
    }

    private static void await(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IOException("the test never let the download go on");
            }
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    /** A safetensors file of two f32 tensors of 4 x 4. */
    private static byte[] checkpoint() throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4,4],\"data_offsets\":[0,64]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4,4],\"data_offsets\":[64,128]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.write(h);
        ByteBuffer data = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 32; i++) {
            data.putFloat(i * 0.25f - 3);
        }
        out.write(data.array());
        return out.toByteArray();
    }
}
