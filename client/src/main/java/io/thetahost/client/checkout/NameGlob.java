package io.thetahost.client.checkout;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Globs over parameter names: {@code *} any run of characters (dots included, so {@code *lora*} finds every adapter
 * tensor), {@code ?} one character; everything else is literal.
 */
final class NameGlob {
    private NameGlob() {
    }

    /** A name matching any of the globs. */
    static Predicate<String> anyOf(List<String> globs) {
        List<Pattern> patterns = globs.stream().map(NameGlob::compile).toList();
        return name -> patterns.stream().anyMatch(p -> p.matcher(name).matches());
    }

    static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                regex.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        regex.append(Pattern.quote(literal.toString()));
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
