package io.thetahost.hooks.access;

import java.util.Locale;

/** What a caller may do with one repository; each level includes the ones below it. */
public enum Permission {
    NONE,
    READ,
    WRITE,
    ADMIN;

    public boolean includes(Permission needed) {
        return compareTo(needed) >= 0;
    }

    /** The lowercase word used on the command line and in repository configuration. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a permission word as an administrator types it.
     *
     * @throws IllegalArgumentException naming the accepted words
     */
    public static Permission parse(String word) {
        for (Permission p : values()) {
            if (p.word().equals(word)) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "unknown permission '" + word + "': expected read, write, admin or none");
    }
}
