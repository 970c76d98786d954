// GenerateCheckpoint: writes a large safetensors checkpoint for benchmarks and tests that need more than the fixtures
// hold. Run as a single source file, with no build: java bench/GenerateCheckpoint.java OUT TENSORS ROWS COLS SEED
//
// The checkpoint holds TENSORS F32 matrices named layers.NNN.weight, ROWS x COLS each, of seeded uniform values in
// [-0.1, 0.1): like trained weights, they do not compress much. Written row by row, so memory stays at one row.

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

public final class GenerateCheckpoint {
    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: java GenerateCheckpoint.java OUT TENSORS ROWS COLS SEED");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int tensors = Integer.parseInt(args[1]);
        int rows = Integer.parseInt(args[2]);
        int cols = Integer.parseInt(args[3]);
        long seed = Long.parseLong(args[4]);
        if (tensors < 1 || rows < 1 || cols < 1) {
            System.err.println("GenerateCheckpoint: TENSORS, ROWS and COLS must be positive");
            System.exit(2);
        }
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
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 20)) {
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
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
