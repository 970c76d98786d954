package io.thetahost.conformance.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real checkpoints in ../shared/fixtures, written by PyTorch, safetensors and peft. */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path checkpoints() {
        String override = System.getenv("THETAHOST_FIXTURES");
        Path dir = override != null ? Path.of(override)
                : ThetahostServer.projectRoot().getParent().resolve("shared/fixtures/checkpoints");
        if (!Files.isRegularFile(dir.resolve("base.safetensors"))) {
            throw new IllegalStateException("the fixtures are not at " + dir
                    + " (set THETAHOST_FIXTURES to the checkpoints folder)");
        }
        return dir;
    }

    public static Path checkpoint(String name) {
        return checkpoints().resolve(name);
    }

    /** bin/theta, as a user runs it. */
    public static Path binTheta() {
        return ThetahostServer.projectRoot().resolve("bin/theta");
    }
}
