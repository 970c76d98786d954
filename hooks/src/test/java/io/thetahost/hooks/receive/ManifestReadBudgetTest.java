package io.thetahost.hooks.receive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The daemon-wide budget that keeps concurrent manifest reads within the heap. */
@Timeout(30)
class ManifestReadBudgetTest {

    @Test
    void smallReadsShareTheBudgetAndALargeOneWaitsForThem() throws Exception {
        ManifestReadBudget budget = new ManifestReadBudget(100);
        ManifestReadBudget.Share first = budget.acquire(40);
        ManifestReadBudget.Share second = budget.acquire(40);
        CountDownLatch largeAcquired = new CountDownLatch(1);
        Thread large = new Thread(() -> {
            try (ManifestReadBudget.Share s = budget.acquire(100)) {
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
        budget.acquire(100).close(); // the whole budget is back: this would wait until the timeout otherwise
    }

    @Test
    void aReadLargerThanTheBudgetIsAnError() {
        ManifestReadBudget budget = new ManifestReadBudget(100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> budget.acquire(101));
        assertEquals("a manifest of 101 bytes is over the budget of 100", e.getMessage());
    }
}
