package io.thetahost.client.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MergeStrategyTest {

    @Test
    void theNamedStrategiesAndWeightedShares() {
        assertEquals(MergeStrategy.OURS, MergeStrategy.parse("ours", "test"));
        assertEquals(MergeStrategy.THEIRS, MergeStrategy.parse(" Theirs ", "test"));
        assertEquals(MergeStrategy.AVERAGE, MergeStrategy.parse("avg", "test"));
        assertEquals(MergeStrategy.AVERAGE, MergeStrategy.parse("weighted:0.5", "test"));
        assertEquals(new MergeStrategy("weighted", 0.25f), MergeStrategy.parse("weighted:0.25", "test"));
    }

    @Test
    void anythingElseIsRefusedSayingWhatIsAccepted() {
        for (String bad : new String[] {"median", "weighted:1.5", "weighted:x", "weighted:", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MergeStrategy.parse(bad, "git config theta.mergeStrategy"));
            assertEquals("git config theta.mergeStrategy: unknown merge strategy '" + bad.strip() + "'; use "
                    + MergeStrategy.FORMS, e.getMessage());
        }
    }
}
