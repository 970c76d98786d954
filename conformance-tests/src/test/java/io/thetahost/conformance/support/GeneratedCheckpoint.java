package io.thetahost.conformance.support;

import java.nio.file.Path;
import java.time.Duration;

/** A checkpoint larger than the fixtures, written by bench/GenerateCheckpoint.java (the benchmarks' generator). */
public final class GeneratedCheckpoint {
    private GeneratedCheckpoint() {
    }

    /** {@code tensors} F32 matrices of {@code rows x cols} seeded values, named layers.NNN.weight. */
    public static Path write(Path file, int tensors, int rows, int cols, long seed) {
        Path generator = ThetahostServer.projectRoot().resolve("bench/GenerateCheckpoint.java");
        Cmd.of("java", generator.toString(), file.toString(), String.valueOf(tensors), String.valueOf(rows),
                String.valueOf(cols), String.valueOf(seed)).timeout(Duration.ofMinutes(5)).run().assertOk();
        return file;
    }
}
