package io.thetahost.protocol.manifest;

import java.util.List;
import java.util.function.Predicate;

/**
 * Globs over parameter names, as {@code theta checkout --include} and the server's {@code --only-parameters} rules
 * take them: {@code *} any run of characters (dots included, so {@code *lora*} finds every adapter tensor), {@code ?}
 * one character; everything else is literal. Matching takes time proportional to the name times the glob at worst
 * (no backtracking regular expression), so a hostile glob cannot stall a server.
 */
public final class ParameterGlob {
    /** The longest glob accepted; parameter names are far shorter. */
    public static final int MAX_LENGTH = 1024;

    private final String glob;

    private ParameterGlob(String glob) {
        this.glob = glob;
    }

    /** @throws IllegalArgumentException for an empty glob or one over {@link #MAX_LENGTH} characters */
    public static ParameterGlob of(String glob) {
        if (glob.isEmpty()) {
            throw new IllegalArgumentException("an empty parameter glob matches nothing; use '*' for every parameter");
        }
        if (glob.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("parameter glob of " + glob.length() + " characters (at most "
                    + MAX_LENGTH + ")");
        }
        return new ParameterGlob(glob);
    }

    /** A name matching any of the globs. */
    public static Predicate<String> anyOf(List<String> globs) {
        List<ParameterGlob> compiled = globs.stream().map(ParameterGlob::of).toList();
        return name -> compiled.stream().anyMatch(g -> g.matches(name));
    }

    /**
     * Whether the whole name matches. The classic two-pointer wildcard match: on a mismatch, go back to just after
     * the last star and let it take one more character.
     */
    public boolean matches(String name) {
        int n = 0;
        int g = 0;
        int star = -1;
        int starMatch = 0;
        while (n < name.length()) {
            if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == name.charAt(n))
                    && glob.charAt(g) != '*') {
                n++;
                g++;
            } else if (g < glob.length() && glob.charAt(g) == '*') {
                star = g++;
                starMatch = n;
            } else if (star >= 0) {
                g = star + 1;
                n = ++starMatch;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    @Override
    public String toString() {
        return glob;
    }
}
