package io.thetahost.conformance.support;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A large safetensors checkpoint written for a test that needs more than the fixtures hold: {@code tensors} F32
 * matrices of {@code rows x cols} seeded uniform values, written tensor by tensor (memory stays at one row).
 */
public final class GeneratedCheckpoint {
    private GeneratedCheckpoint() {
    }

    public static Path write(Path file, int tensors, int rows, int cols, long seed) throws IOException {
        long tensorBytes = 4L * rows * cols;
        StringBuilder header = new StringBuilder("{");
        for (int i = 0; i < tensors; i++) {
            header.append(i == 0 ? "" : ",").append(String.format("\"layers.%03d.weight\":{\"dtype\":\"F32\","
                    + "\"shape\":[%d,%d],\"data_offsets\":[%d,%d]}", i, rows, cols, i * tensorBytes,
                    (i + 1) * tensorBytes));
        }
        header.append('}');
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] json = header.toString().getBytes(StandardCharsets.US_ASCII);
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer row = ByteBuffer.allocate(4 * cols).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            out.write(json);
            for (long r = 0; r < (long) tensors * rows; r++) {
                row.clear();
                for (int c = 0; c < cols; c++) {
                    row.putFloat((float) (random.nextDouble() * 0.2 - 0.1));
                }
                out.write(row.array());
            }
        }
        return file;
    }
}
