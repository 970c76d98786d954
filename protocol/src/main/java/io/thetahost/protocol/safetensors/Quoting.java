package io.thetahost.protocol.safetensors;

/**
 * Names as error messages show them. Names come from untrusted files, so control characters, quotes and unpaired
 * surrogates are escaped (a message must stay one readable line) and very long names are cut.
 */
public final class Quoting {
    private static final int MAX_NAME_SHOWN = 200;
    private static final int MAX_TEXT_SHOWN = 500;

    private Quoting() {
    }

    /** The name in single quotes, escaped, at most about 200 characters of it. */
    public static String quote(String name) {
        StringBuilder b = new StringBuilder(Math.min(name.length(), MAX_NAME_SHOWN) + 2).append('\'');
        appendEscaped(b, name, MAX_NAME_SHOWN, true);
        return b.append('\'').toString();
    }

    /** Text from a parser or another library, made safe to show: one line, printable, bounded. */
    public static String sanitize(String text) {
        if (text == null) {
            return "";
        }
        // Jackson's locations name the source it was told not to show; that says nothing to a user.
        text = text.replace("Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); ", "");
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_TEXT_SHOWN));
        appendEscaped(b, text, MAX_TEXT_SHOWN, false);
        return b.toString();
    }

    /** The index of the first unpaired surrogate in {@code s}, or -1. */
    public static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isUnpairedSurrogate(s, i)) {
                return i;
            }
        }
        return -1;
    }

    private static void appendEscaped(StringBuilder b, String s, int max, boolean escapeQuotes) {
        int shown = Math.min(s.length(), max);
        if (shown < s.length() && shown > 0 && Character.isHighSurrogate(s.charAt(shown - 1))) {
            shown--; // never cut a pair in two
        }
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            if (escapeQuotes && (c == '\'' || c == '\\')) {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029
                    || isUnpairedSurrogate(s, i)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (shown < s.length()) {
            b.append("...(").append(s.length()).append(" characters)");
        }
    }

    private static boolean isUnpairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }
}
