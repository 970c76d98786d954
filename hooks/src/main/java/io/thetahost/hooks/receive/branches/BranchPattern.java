package io.thetahost.hooks.receive.branches;

import java.util.regex.Pattern;

/**
 * A branch name or glob, as branch rules name branches ({@code main}, {@code release/*}): {@code *} any run of
 * characters other than {@code /}, {@code **} any run at all, {@code ?} one character other than {@code /};
 * everything else literal. Matched against the branch name without {@code refs/heads/}.
 */
public final class BranchPattern {
    public static final int MAX_LENGTH = 256;

    private final String text;
    private final Pattern regex;

    private BranchPattern(String text, Pattern regex) {
        this.text = text;
        this.regex = regex;
    }

    /**
     * @throws IllegalArgumentException naming what is wrong: empty, too long, a {@code refs/} prefix, or characters
     *     no branch name may hold
     */
    public static BranchPattern parse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("a branch pattern may not be empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("branch pattern of " + text.length() + " characters (at most "
                    + MAX_LENGTH + ")");
        }
        if (text.startsWith("refs/")) {
            throw new IllegalArgumentException("'" + text + "': name the branch without refs/heads/ (main, "
                    + "release/*)");
        }
        for (char c : text.toCharArray()) {
            if (c < 0x20 || c == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' || c == '\\' || c == '['
                    || c == '"') {
                throw new IllegalArgumentException("'" + text + "' holds a character no branch name may hold ("
                        + (c < 0x20 || c == 0x7f ? String.format("0x%02x", (int) c) : "'" + c + "'") + ")");
            }
        }
        if (text.startsWith("/") || text.endsWith("/") || text.contains("//") || text.contains("..")
                || text.endsWith(".lock") || text.endsWith(".")) {
            throw new IllegalArgumentException("'" + text + "' is not a branch name or pattern (no leading or "
                    + "trailing '/', '//', '..', or ending '.lock' or '.')");
        }
        // Possessive quantifiers and the bounded length keep matching linear enough for names of bounded length.
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' && i + 1 < text.length() && text.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new BranchPattern(text, Pattern.compile(regex.toString(), Pattern.DOTALL));
    }

    public boolean matches(String branch) {
        return branch.length() <= 1024 && regex.matcher(branch).matches();
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BranchPattern && ((BranchPattern) o).text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
