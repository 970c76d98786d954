package io.thetahost.http.read;

import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.access.Permission;
import io.thetahost.hooks.access.UserDirectory;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.hooks.transport.RepositoryRegistry;
import io.thetahost.http.auth.Credentials;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who may read a repository over the read endpoints (raw files, the Hugging Face API, the JSON API, the web UI): the
 * repository's readers, and anyone for a public one. A missing repository and one the caller may not read answer
 * alike, so that nobody learns which private repositories exist.
 */
public final class ReadAccess {
    static final String NOT_FOUND = "repository not found, or you may not read it";
    private final UserDirectory users;
    private final RepositoryRegistry registry;

    public ReadAccess(UserDirectory users, RepositoryRegistry registry) {
        this.users = users;
        this.registry = registry;
    }

    /** The caller an {@code Authorization} header names (absent: anonymous). */
    public Caller caller(String authorization) throws ReadRefusal {
        Optional<Caller> caller = Credentials.authenticate(authorization, users);
        if (caller.isEmpty()) {
            throw ReadRefusal.unauthorized("Unauthorized", "invalid user name or access token: send "
                    + "'Authorization: Bearer TOKEN' or HTTP Basic with your user name and token");
        }
        return caller.get();
    }

    /** Checks that {@code caller} may read {@code repository}; the refusal is the same whether it exists or not. */
    public void checkRead(Caller caller, RepositoryName repository) throws ReadRefusal {
        if (registry.permission(caller, repository).includes(Permission.READ)) {
            return;
        }
        if (caller.isAnonymous()) {
            throw ReadRefusal.unauthorized(ReadRefusal.REPO_NOT_FOUND, NOT_FOUND + " anonymously: send a token");
        }
        throw ReadRefusal.of(404, ReadRefusal.REPO_NOT_FOUND, NOT_FOUND);
    }

    /** The repositories {@code caller} may read, sorted. */
    public List<RepositoryName> readable(Caller caller) throws IOException {
        List<RepositoryName> out = new ArrayList<>();
        for (RepositoryName name : registry.names()) {
            if (registry.permission(caller, name).includes(Permission.READ)) {
                out.add(name);
            }
        }
        return out;
    }

    /** Whether anyone may read the repository, without credentials. */
    public boolean isPublic(RepositoryName repository) {
        return registry.permission(Caller.anonymous(), repository).includes(Permission.READ);
    }

    /** The repositories' registry, to open one once {@link #checkRead} passed. */
    public RepositoryRegistry registry() {
        return registry;
    }
}
