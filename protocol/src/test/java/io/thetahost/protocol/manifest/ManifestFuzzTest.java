package io.thetahost.protocol.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.Fixtures;
import io.thetahost.protocol.Mutations;
import io.thetahost.protocol.safetensors.SafetensorsLimits;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Mutated manifests are refused with InvalidManifestException, or are canonical manifests; nothing else. */
class ManifestFuzzTest {
    private static final long SEED = 0x3a41_f357L;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void mutatedManifestsReadOrAreRefused() throws IOException {
        SafetensorsLimits limits = SafetensorsLimits.defaults();
        byte[] manifest = ManifestFormat.write(Checkpoints.split(Fixtures.checkpoint("adapter_model"), limits,
                TensorSink.DISCARD));
        Random random = new Random(SEED);
        int accepted = 0;
        for (int c = 0; c < 6000; c++) {
            byte[] mutated;
            if (c % 20 == 0) {
                mutated = new byte[random.nextInt(200)];
                random.nextBytes(mutated);
            } else {
                mutated = Mutations.mutate(manifest, random);
            }
            try {
                Manifest m = ManifestFormat.read(mutated, limits);
                assertArrayEquals(mutated, ManifestFormat.write(m));
                accepted++;
            } catch (InvalidManifestException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            } catch (Throwable t) {
                throw new AssertionError("case " + c + " threw " + t, t);
            }
        }
        // Mutations that still give a canonical manifest (a changed hex digit of an id, say) are rare but real.
        assertTrue(accepted < 6000);
    }
}
