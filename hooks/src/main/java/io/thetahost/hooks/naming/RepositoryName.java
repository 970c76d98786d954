package io.thetahost.hooks.naming;

import java.nio.file.Path;

/** A validated OWNER/NAME. Any instance is safe to use as a path below the repositories directory. */
public final class RepositoryName {
    private static final String GIT_SUFFIX = ".git";

    private final String owner;
    private final String name;

    private RepositoryName(String owner, String name) {
        this.owner = owner;
        this.name = name;
    }

    /**
     * Parses a name as an administrator types it: {@code OWNER/NAME}, optionally ending in {@code .git}.
     *
     * @throws InvalidNameException naming the rule that was broken
     */
    public static RepositoryName parse(String input) {
        NameRules.checkCharacters("repository", input);
        if (input.startsWith("/")) {
            throw new InvalidNameException(
                    "invalid repository name '" + input + "': absolute paths are not allowed, use OWNER/NAME");
        }
        return split(input, input);
    }

    /**
     * Parses the repository part of a request path as git sends it: {@code /OWNER/NAME.git}, {@code OWNER/NAME},
     * with or without a trailing slash.
     */
    public static RepositoryName fromRequestPath(String path) {
        NameRules.checkCharacters("repository", path);
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return split(p, path);
    }

    private static RepositoryName split(String p, String original) {
        String trimmed = p.endsWith(GIT_SUFFIX) ? p.substring(0, p.length() - GIT_SUFFIX.length()) : p;
        int slash = trimmed.indexOf('/');
        if (slash < 0 || trimmed.indexOf('/', slash + 1) >= 0) {
            throw new InvalidNameException("invalid repository name '" + original + "': expected OWNER/NAME");
        }
        String owner = trimmed.substring(0, slash);
        String name = trimmed.substring(slash + 1);
        NameRules.checkSegment("repository", original, owner);
        NameRules.checkSegment("repository", original, name);
        if (name.endsWith(GIT_SUFFIX)) {
            throw new InvalidNameException(
                    "invalid repository name '" + original + "': '" + name + "' must not end with '.git'");
        }
        return new RepositoryName(owner, name);
    }

    public String owner() {
        return owner;
    }

    public String name() {
        return name;
    }

    /** Where the bare repository lives below the repositories directory: {@code OWNER/NAME.git}. */
    public Path relativeGitDir() {
        return Path.of(owner, name + GIT_SUFFIX);
    }

    @Override
    public String toString() {
        return owner + "/" + name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RepositoryName && ((RepositoryName) o).owner.equals(owner)
                && ((RepositoryName) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return owner.hashCode() * 31 + name.hashCode();
    }
}
