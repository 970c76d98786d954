package io.thetahost.hooks.upload;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Tests that read requests against a real repository holding a line of six commits. */
abstract class OnLinearHistory {
    @TempDir
    Path dir;

    LinearHistory history;
    String tip;

    @BeforeEach
    void sixCommits() throws Exception {
        history = new LinearHistory(dir.toFile(), 6);
        tip = history.tip();
    }

    @AfterEach
    void closeHistory() {
        history.close();
    }
}
