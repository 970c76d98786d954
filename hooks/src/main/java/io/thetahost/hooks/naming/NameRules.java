package io.thetahost.hooks.naming;

/**
 * The rules every name segment obeys (an owner, a repository name, a user name). They are stricter than git's
 * ref-name rules, so any accepted name is also a safe directory name and a valid git path component.
 */
final class NameRules {
    static final int MAX_SEGMENT_LENGTH = 100;

    private NameRules() {
    }

    /** Rules that hold for the whole input, before it is split: they name the problem, not a segment. */
    static void checkCharacters(String kind, String input) {
        if (input.isEmpty()) {
            throw new InvalidNameException(kind + " name is empty");
        }
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidNameException(
                        "invalid " + kind + " name '" + printable(input) + "': contains a control character");
            }
            if (c == '\\') {
                throw new InvalidNameException(
                        "invalid " + kind + " name '" + printable(input) + "': contains a backslash");
            }
        }
        if (input.contains("..")) {
            throw new InvalidNameException("invalid " + kind + " name '" + input + "': contains '..'");
        }
    }

    static void checkSegment(String kind, String whole, String segment) {
        String prefix = "invalid " + kind + " name '" + whole + "': ";
        if (segment.isEmpty()) {
            throw new InvalidNameException(prefix + "has an empty part");
        }
        if (segment.length() > MAX_SEGMENT_LENGTH) {
            throw new InvalidNameException(
                    prefix + "'" + segment + "' is longer than " + MAX_SEGMENT_LENGTH + " characters");
        }
        if (!isAsciiLetterOrDigit(segment.charAt(0))) {
            throw new InvalidNameException(prefix + "'" + segment + "' must start with a letter or a digit");
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (!isAsciiLetterOrDigit(c) && c != '.' && c != '_' && c != '-') {
                throw new InvalidNameException(prefix + "'" + segment
                        + "' may only contain letters, digits, '.', '_' and '-' (found '" + printable(String.valueOf(c))
                        + "')");
            }
        }
        if (segment.endsWith(".lock")) {
            throw new InvalidNameException(prefix + "'" + segment + "' must not end with '.lock'");
        }
        if (segment.endsWith(".")) {
            throw new InvalidNameException(prefix + "'" + segment + "' must not end with '.'");
        }
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (Character.isISOControl(c)) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
