package io.thetahost.hooks.access;

import java.util.Optional;

/** Who is asking: an authenticated user, or nobody (anonymous HTTP). */
public final class Caller {
    private static final Caller ANONYMOUS = new Caller(null);

    private final String user;

    private Caller(String user) {
        this.user = user;
    }

    public static Caller anonymous() {
        return ANONYMOUS;
    }

    public static Caller user(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a user caller needs a name");
        }
        return new Caller(name);
    }

    public boolean isAnonymous() {
        return user == null;
    }

    public Optional<String> userName() {
        return Optional.ofNullable(user);
    }

    /** The name written to logs: the user, or "-" for anonymous. */
    @Override
    public String toString() {
        return user == null ? "-" : user;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Caller && java.util.Objects.equals(((Caller) o).user, user);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(user);
    }
}
