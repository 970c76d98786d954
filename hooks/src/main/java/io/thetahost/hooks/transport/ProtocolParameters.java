package io.thetahost.hooks.transport;

import java.util.Arrays;
import java.util.List;

/**
 * The side-channel parameters a git client sends to pick a protocol version: the {@code GIT_PROTOCOL} environment
 * variable over SSH, the {@code Git-Protocol} header over HTTP. Both are colon-separated lists such as
 * {@code version=2}.
 */
public final class ProtocolParameters {
    /** Longest parameter string accepted; git sends a few dozen bytes. */
    public static final int MAX_LENGTH = 1024;

    private final List<String> parameters;

    private ProtocolParameters(List<String> parameters) {
        this.parameters = parameters;
    }

    public static ProtocolParameters parse(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > MAX_LENGTH) {
            return new ProtocolParameters(List.of());
        }
        return new ProtocolParameters(List.copyOf(Arrays.asList(raw.split(":"))));
    }

    /** What JGit's services take as extra parameters. */
    public List<String> asList() {
        return parameters;
    }

    /**
     * The protocol version the exchange will really use: for git, 2 only for upload-pack, as git itself does; the
     * theta transfer protocol is at version 1.
     */
    public int effectiveVersion(GitService service) {
        if (service == GitService.THETA_TRANSFER) {
            return 1;
        }
        return service == GitService.UPLOAD_PACK && parameters.contains("version=2") ? 2 : 0;
    }
}
