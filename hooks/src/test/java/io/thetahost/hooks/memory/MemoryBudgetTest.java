package io.thetahost.hooks.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A daemon-wide budget that keeps concurrent work within the heap. */
@Timeout(30)
class MemoryBudgetTest {

    @Test
    void smallReadsShareTheBudgetAndALargeOneWaitsForThem() throws Exception {
        MemoryBudget budget = new MemoryBudget("a manifest", 100 * 1024);
        MemoryBudget.Share first = budget.acquire(40 * 1024);
        MemoryBudget.Share second = budget.acquire(40 * 1024);
        CountDownLatch largeAcquired = new CountDownLatch(1);
        Thread large = new Thread(() -> {
            try (MemoryBudget.Share s = budget.acquire(100 * 1024)) {
                largeAcquired.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        large.start();
        assertFalse(largeAcquired.await(200, TimeUnit.MILLISECONDS), "the large read waits while 80 are held");
        first.close();
        assertFalse(largeAcquired.await(200, TimeUnit.MILLISECONDS), "and while 40 are");
        second.close();
        assertTrue(largeAcquired.await(10, TimeUnit.SECONDS), "and reads once both are done");
        large.join();
        budget.acquire(100 * 1024).close(); // the whole budget is back: this would wait until the timeout otherwise
    }

    @Test
    void aReadLargerThanTheBudgetIsAnError() {
        MemoryBudget budget = new MemoryBudget("a manifest", 100 * 1024);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> budget.acquire(100 * 1024 + 1));
        assertEquals("a manifest of 102401 bytes is over the budget of 102400", e.getMessage());
    }
}
