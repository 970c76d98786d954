package io.thetahost.hooks.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolParametersTest {

    @Test
    void versionTwoIsUsedForUploadPack() {
        assertEquals(2, ProtocolParameters.parse("version=2").effectiveVersion(GitService.UPLOAD_PACK));
    }

    @Test
    void receivePackStaysOnVersionZeroEvenWhenTwoIsAsked() {
        assertEquals(0, ProtocolParameters.parse("version=2").effectiveVersion(GitService.RECEIVE_PACK));
    }

    @Test
    void versionTwoIsFoundAmongOtherParameters() {
        ProtocolParameters p = ProtocolParameters.parse("object-format=sha1:version=2");
        assertEquals(List.of("object-format=sha1", "version=2"), p.asList());
        assertEquals(2, p.effectiveVersion(GitService.UPLOAD_PACK));
    }

    @Test
    void otherVersionsAndNoHeaderMeanVersionZero() {
        assertEquals(0, ProtocolParameters.parse("version=1").effectiveVersion(GitService.UPLOAD_PACK));
        assertEquals(0, ProtocolParameters.parse("version=20").effectiveVersion(GitService.UPLOAD_PACK));
        assertEquals(0, ProtocolParameters.parse(null).effectiveVersion(GitService.UPLOAD_PACK));
        assertEquals(List.of(), ProtocolParameters.parse(null).asList());
        assertEquals(List.of(), ProtocolParameters.parse("").asList());
    }

    @Test
    void overlongParametersAreIgnoredAltogether() {
        String overlong = "version=2:" + "x".repeat(ProtocolParameters.MAX_LENGTH);
        ProtocolParameters p = ProtocolParameters.parse(overlong);
        assertEquals(List.of(), p.asList());
        assertEquals(0, p.effectiveVersion(GitService.UPLOAD_PACK));
    }

    @Test
    void parametersOfExactlyTheMaximumLengthAreKept() {
        String atLimit = "version=2:" + "x".repeat(ProtocolParameters.MAX_LENGTH - 10);
        assertEquals(ProtocolParameters.MAX_LENGTH, atLimit.length());
        assertEquals(2, ProtocolParameters.parse(atLimit).effectiveVersion(GitService.UPLOAD_PACK));
    }
}
