package io.thetahost.conformance.support;

import java.nio.file.Path;

/** The real checkpoints in the repository's fixtures/checkpoints, written by PyTorch, safetensors and peft. */
public final class Fixtures {
    private Fixtures() {
    }

    /** The checkpoints folder, found as every module's tests find it. */
    public static Path checkpoints() {
        return io.thetahost.protocol.Fixtures.checkpointsDir();
    }

    public static Path checkpoint(String name) {
        return checkpoints().resolve(name);
    }

    /** bin/theta, as a user runs it. */
    public static Path binTheta() {
        return ThetahostServer.projectRoot().resolve("bin/theta");
    }
}
