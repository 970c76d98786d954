package io.thetahost.objectdb;

import java.nio.file.Path;

/**
 * The child process of {@link CrashSafetyTest}: opens a store and uploads large generated tensors one after another,
 * saying on stdout when each upload starts and when it was acknowledged, until it is killed.
 *
 * <p>Arguments: the store's folder, the size of each tensor in MiB, the first seed.
 */
public final class CrashingUploader {
    private CrashingUploader() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long megabytes = Long.parseLong(args[1]);
        long seed = Long.parseLong(args[2]);
        try (TensorStore store = RocksTensorStore.open(dir, StoreOptions.defaults())) {
            System.out.println("open");
            for (;; seed++) {
                GeneratedTensor tensor = new GeneratedTensor(seed, megabytes);
                tensor.id();
                System.out.println("start " + seed);
                PutResult result = store.put(tensor.denseEncoding(), CrashSafetyTest.REPOSITORY);
                System.out.println("done " + seed + " " + result.id() + " " + result.status());
            }
        }
    }
}
