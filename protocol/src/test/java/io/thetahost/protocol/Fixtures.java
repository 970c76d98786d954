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

/** The real checkpoints in shared/fixtures (written by Python safetensors 0.8.0), and helpers to make files. */
public final class Fixtures {
    public static final List<String> CHECKPOINTS = List.of("base", "lora_merged", "adapter_model", "base_bf16");

    private Fixtures() {
    }

    /** shared/fixtures/checkpoints, found beside the repository (or named by THETAHOST_FIXTURES). */
    public static Path checkpointsDir() {
        String configured = System.getenv("THETAHOST_FIXTURES");
        if (configured != null) {
            return Path.of(configured);
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/fixtures/checkpoints");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/fixtures/checkpoints not found above " + dir
                + " (set THETAHOST_FIXTURES to the checkpoints folder)");
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
