package io.thetahost.conformance.support;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test class whose cases share one daemon and its first user, alice. A subclass's own {@code @BeforeAll} runs after
 * this one, so it can add users and repositories.
 */
@Timeout(300)
public abstract class SharedDaemon {
    @TempDir
    protected static Path base;
    protected static ThetahostServer server;
    protected static GitUser alice;

    @BeforeAll
    static void startDaemon() {
        server = ThetahostServer.start(base.resolve("data"));
        alice = GitUser.create(server, base, "alice");
    }

    @AfterAll
    static void stopDaemon() throws InterruptedException {
        server.close();
    }
}
