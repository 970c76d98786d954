package io.thetahost.hooks.transport;

import io.thetahost.hooks.access.Permission;
import java.util.Optional;

/** The git services a host runs, with the permission each needs. */
public enum GitService {
    UPLOAD_PACK("git-upload-pack", Permission.READ),
    RECEIVE_PACK("git-receive-pack", Permission.WRITE);

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
