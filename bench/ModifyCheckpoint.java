// ModifyCheckpoint: copies a safetensors checkpoint of F32 tensors, scaling the tensors whose index is in a range, as a
// fine-tune touching some parameters would. Run as a single source file, with no build:
//
//   java bench/ModifyCheckpoint.java IN OUT FACTOR FROM:TO [FROM:TO]...
//
// Tensor i (in file order) is multiplied by FACTOR when FROM <= i < TO for one of the ranges; every other byte is
// copied as is. Streams a block at a time, so memory stays at one block whatever the checkpoint's size.

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class ModifyCheckpoint {
    private static final int BLOCK = 1 << 20;
    private static final Pattern OFFSETS = Pattern.compile("\"dtype\":\"([A-Z0-9_]+)\",\"shape\":\\[[0-9,]*\\],"
            + "\"data_offsets\":\\[([0-9]+),([0-9]+)\\]");

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: java ModifyCheckpoint.java IN OUT FACTOR FROM:TO [FROM:TO]...");
            System.exit(2);
        }
        float factor = Float.parseFloat(args[2]);
        List<int[]> ranges = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            String[] r = args[i].split(":");
            ranges.add(new int[] {Integer.parseInt(r[0]), Integer.parseInt(r[1])});
        }
        try (FileChannel in = FileChannel.open(Path.of(args[0]));
                FileChannel out = FileChannel.open(Path.of(args[1]), StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            in.read(length, 0);
            long headerLength = length.getLong(0);
            ByteBuffer header = ByteBuffer.allocate(Math.toIntExact(headerLength));
            in.read(header, 8);
            // The benchmarks' checkpoints (GenerateCheckpoint.java) list tensors in file order.
            Matcher m = OFFSETS.matcher(new String(header.array(), StandardCharsets.UTF_8));
            List<long[]> scaled = new ArrayList<>();
            for (int index = 0; m.find(); index++) {
                if (!m.group(1).equals("F32")) {
                    throw new IllegalArgumentException("tensor " + index + " is " + m.group(1) + ", not F32");
                }
                for (int[] r : ranges) {
                    if (index >= r[0] && index < r[1]) {
                        scaled.add(new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
                    }
                }
            }
            long dataStart = 8 + headerLength;
            in.transferTo(0, in.size(), out);
            ByteBuffer block = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
            for (long[] t : scaled) {
                for (long at = dataStart + t[0]; at < dataStart + t[1]; at += BLOCK) {
                    block.clear().limit((int) Math.min(BLOCK, dataStart + t[1] - at));
                    in.read(block, at);
                    for (int i = 0; i < block.limit(); i += 4) {
                        block.putFloat(i, block.getFloat(i) * factor);
                    }
                    block.flip();
                    out.write(block, at);
                }
            }
            System.err.println("ModifyCheckpoint: " + scaled.size() + " tensor(s) scaled by " + factor);
        }
    }
}
