package io.thetahost.conformance.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real checkpoints in ../shared/fixtures, written by PyTorch, safetensors and peft. */
public final class Fixtures {
    private Fixtures() {
    }

    /** shared/fixtures/checkpoints, found beside the checkout (or named by THETAHOST_FIXTURES). */
    public static Path checkpoints() {
        String override = System.getenv("THETAHOST_FIXTURES");
        if (override != null) {
            return Path.of(override);
        }
        Path root = ThetahostServer.projectRoot();
        for (Path p = root; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/fixtures/checkpoints");
            if (Files.isRegularFile(candidate.resolve("base.safetensors"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/fixtures/checkpoints not found above " + root
                + " (set THETAHOST_FIXTURES to the checkpoints folder)");
    }

    public static Path checkpoint(String name) {
        return checkpoints().resolve(name);
    }

    /** bin/theta, as a user runs it. */
    public static Path binTheta() {
        return ThetahostServer.projectRoot().resolve("bin/theta");
    }
}
