package io.thetahost.client.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.thetahost.client.store.LocalStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filter opens the first file's store while it reads git's request; a real store, opened by RocksDB. */
class StoreOpeningTest {
    @TempDir
    Path dir;

    @Test
    void theFirstFileGetsTheStoreOpenedAheadAndLaterFilesOpenTheirOwn() throws Exception {
        List<LocalStore> opened = new ArrayList<>();
        CountDownLatch first = new CountDownLatch(1);
        StoreOpening stores = StoreOpening.start(() -> {
            LocalStore s = LocalStore.open(dir.resolve("theta"));
            synchronized (opened) {
                opened.add(s);
            }
            first.countDown();
            return s;
        });
        // Opened before anyone asks for it.
        first.await(30, TimeUnit.SECONDS);
        LocalStore one = stores.open();
        assertSame(opened.get(0), one);
        one.close();
        stores.fileDone();
        try (LocalStore two = stores.open()) {
            assertEquals(2, opened.size(), "the second file opens the store again");
            assertNotSame(one, two);
        }
    }

    @Test
    void aStoreOpenedAheadThatTheFirstFileDidNotTakeIsClosedForOthers() throws Exception {
        Path store = dir.resolve("theta");
        CountDownLatch open = new CountDownLatch(1);
        StoreOpening stores = StoreOpening.start(() -> {
            LocalStore s = LocalStore.open(store);
            open.countDown();
            return s;
        });
        open.await(30, TimeUnit.SECONDS);
        // The first file passed through without the store (an empty file, a raw checkpoint).
        stores.fileDone();
        // A merge driver git runs next opens the store: RocksDB's lock would refuse it while the filter held it
        // (LocalStore.open waits for the lock for a while, then fails).
        try (LocalStore other = LocalStore.open(store)) {
            other.parameters();
        }
    }

    @Test
    void aStoreThatCannotBeOpenedFailsTheFileThatAsksForItWithTheReason() {
        StoreOpening stores = StoreOpening.start(() -> {
            throw new IOException("the tensor store is damaged: run theta fsck");
        });
        IOException e = assertThrows(IOException.class, stores::open);
        assertEquals("the tensor store is damaged: run theta fsck", e.getMessage());
    }
}
