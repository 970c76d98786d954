package io.thetahost.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The real checkpoints in the repository's {@code fixtures/checkpoints} (written by PyTorch, Python safetensors 0.8.0
 * and peft), and helpers to make files. Other modules' tests find the fixtures through this class (protocol's
 * test-jar), so there is one way to find them.
 */
public final class Fixtures {
    public static final List<String> CHECKPOINTS = List.of("base", "lora_merged", "adapter_model", "base_bf16");

    /** Where the fixtures are in a checkout, relative to its root. */
    static final String IN_CHECKOUT = "fixtures/checkpoints";

    private Fixtures() {
    }

    /**
     * The checkpoints folder: the one {@code THETAHOST_FIXTURES} names, else {@code fixtures/checkpoints} of the
     * checkout the tests run in, found from the working directory (a module's folder under Maven) upwards.
     */
    public static Path checkpointsDir() {
        String configured = System.getenv("THETAHOST_FIXTURES");
        if (configured != null && !configured.isEmpty()) {
            Path dir = Path.of(configured).toAbsolutePath();
            if (!holdsCheckpoints(dir)) {
                throw new IllegalStateException("THETAHOST_FIXTURES=" + configured
                        + " does not hold the fixture checkpoints (no base.safetensors there); point it at a copy of "
                        + IN_CHECKOUT + " or unset it to use the checkout's");
            }
            return dir;
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            Path candidate = p.resolve(IN_CHECKOUT);
            if (holdsCheckpoints(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(IN_CHECKOUT + " not found in " + start + " or above it: run the tests "
                + "inside a checkout of the repository, or set THETAHOST_FIXTURES to a folder with the checkpoints");
    }

    private static boolean holdsCheckpoints(Path dir) {
        return Files.isRegularFile(dir.resolve("base.safetensors"));
    }

    public static Path checkpoint(String name) {
        return checkpointsDir().resolve(name + ".safetensors");
    }

    public static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(checkpoint(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The header bytes of a fixture (after the 8-byte length). */
    public static byte[] header(String name) {
        byte[] file = bytes(name);
        int n = (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return Arrays.copyOfRange(file, 8, 8 + n);
    }

    /** A file: the 8-byte little-endian length, the header, the data. */
    public static byte[] file(byte[] header, byte[] data) {
        return file(header.length, header, data);
    }

    /** A file whose length field says {@code declared}, whatever the header's real length. */
    public static byte[] file(long declared, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(declared).put(header).put(data).array();
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
