package io.thetahost.hooks.transport;

import io.thetahost.hooks.access.Permission;
import java.util.Optional;

/**
 * The services a host runs over both transports, with the permission each needs to start: git's two, and the theta
 * transfer protocol (whose writing commands check for write access themselves).
 */
public enum GitService {
    UPLOAD_PACK("git-upload-pack", Permission.READ),
    RECEIVE_PACK("git-receive-pack", Permission.WRITE),
    THETA_TRANSFER("theta-transfer", Permission.READ);

    private final String serviceName;
    private final Permission needs;

    GitService(String serviceName, Permission needs) {
        this.serviceName = serviceName;
        this.needs = needs;
    }

    /** The name git uses on the wire, for example {@code git-upload-pack}. */
    public String serviceName() {
        return serviceName;
    }

    public Permission needs() {
        return needs;
    }

    /** Whether git itself speaks it (and info/refs advertises it). */
    public boolean isGit() {
        return this != THETA_TRANSFER;
    }

    /** Finds a service by its wire name; {@code git upload-pack} (with a space) is accepted too, as git's own hosts do. */
    public static Optional<GitService> byName(String name) {
        for (GitService s : values()) {
            if (s.serviceName.equals(name) || s.serviceName.replaceFirst("-", " ").equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
