package io.thetahost.protocol.transfer;

import io.thetahost.protocol.pktline.Packet;
import io.thetahost.protocol.tensor.TensorId;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The lexical rules both ends share: capability lines, numbers, ids, free text, and quoting for messages. */
final class Syntax {
    /** The most capability lines in a request, and the most lines in a capabilities response. */
    static final int MAX_CAPABILITIES = 64;
    /** The longest value of a request capability (and of a server's agent); agent strings are short. */
    static final int MAX_CAPABILITY_VALUE = 256;
    /** Longer tokens are cut in error messages, so a hostile line does not become a hostile log entry. */
    private static final int QUOTE_LIMIT = 200;
    /** A decimal of more digits than this may not fit a long. */
    private static final int MAX_DIGITS = 19;

    private Syntax() {
    }

    /** Why {@code key=value} is not a valid request capability, or null when it is. */
    static String capabilityProblem(String key, String value) {
        if (key == null || !isKey(key)) {
            return "capability name " + quote(key)
                    + " is not lowercase letters, digits and '-', starting with a letter";
        }
        if (key.equals("command")) {
            return "'command' is not a capability";
        }
        if (value == null || value.isEmpty()) {
            return "capability " + key + " has no value";
        }
        if (value.length() > MAX_CAPABILITY_VALUE) {
            return "capability " + key + " has a value of " + value.length() + " characters (at most "
                    + MAX_CAPABILITY_VALUE + ")";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return "capability " + key + " has a value that is not printable ASCII without spaces: "
                        + quote(value);
            }
        }
        return null;
    }

    /**
     * Why a download's wants and haves contradict each other, or null when they do not: the client cannot both lack
     * and hold a tensor, so a want may be neither a have nor another want's base.
     */
    static String wantConflict(List<Want> wants, List<TensorId> haves) {
        Set<TensorId> wanted = new HashSet<>();
        for (Want w : wants) {
            wanted.add(w.id());
        }
        for (TensorId have : haves) {
            if (wanted.contains(have)) {
                return "want " + have + " is also listed as have";
            }
        }
        for (Want w : wants) {
            for (TensorId base : w.bases()) {
                if (wanted.contains(base)) {
                    return "want " + w.id() + " names base " + base + ", which is itself wanted";
                }
            }
        }
        return null;
    }

    /** A capability or advertisement name: {@code [a-z][a-z0-9-]*}, at most 64 characters. */
    static boolean isKey(String key) {
        if (key.isEmpty() || key.length() > 64 || key.charAt(0) < 'a' || key.charAt(0) > 'z') {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * A canonical non-negative decimal: {@code 0} or digits without a leading zero. A number too large for a long is
     * returned as {@link Long#MAX_VALUE}, which every limit refuses; the caller quotes the token in its message.
     */
    static long decimal(String token, String what, String line) throws TransferProtocolException {
        boolean digits = !token.isEmpty();
        for (int i = 0; i < token.length() && digits; i++) {
            digits = token.charAt(i) >= '0' && token.charAt(i) <= '9';
        }
        if (!digits || (token.length() > 1 && token.charAt(0) == '0')) {
            throw new TransferProtocolException(what + " " + quote(token) + " is not a decimal number without "
                    + "sign or leading zeros, in " + quote(line));
        }
        if (token.length() > MAX_DIGITS) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseLong(token);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    static TensorId id(String token, String line) throws TransferProtocolException {
        try {
            return TensorId.parse(token);
        } catch (IllegalArgumentException e) {
            throw new TransferProtocolException("malformed tensor id " + quote(token) + " in " + quote(line)
                    + " (expected sha256:<64 lowercase hex>)");
        }
    }

    /** Whether a code point may appear in a line: no C0 or C1 control characters and no DEL. */
    static boolean isControl(int codePoint) {
        return codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f);
    }

    /**
     * Free text (progress, error messages, rejection reasons) made fit for one line after {@code prefix}: control
     * characters become spaces, and the text is cut so that the line stays within one pkt-line.
     */
    static String freeText(String prefix, String text) {
        StringBuilder clean = new StringBuilder(Math.min(text.length(), Packet.MAX_PAYLOAD));
        int budget = Packet.MAX_PAYLOAD - 1 - prefix.getBytes(StandardCharsets.UTF_8).length;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                cp = '?'; // an unpaired surrogate has no UTF-8 form
            }
            int c = isControl(cp) ? ' ' : cp;
            int bytes = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
            if (bytes > budget) {
                break;
            }
            budget -= bytes;
            clean.appendCodePoint(c);
        }
        return clean.toString();
    }

    /** Text quoted for an error message: non-printable characters escaped, long text cut. */
    static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder s = new StringBuilder("'");
        int n = Math.min(text.length(), QUOTE_LIMIT);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
                s.append(c);
            } else if (c == '\\' || c == '\'') {
                s.append('\\').append(c);
            } else {
                s.append(String.format("\\u%04x", (int) c));
            }
        }
        return s.append(text.length() > n ? "'..." : "'").toString();
    }

    /** A packet as an error message names it. */
    static String describe(Packet p) {
        switch (p.type()) {
            case FLUSH:
                return "a flush packet (0000)";
            case DELIM:
                return "a delim packet (0001)";
            case RESPONSE_END:
                return "a response-end packet (0002)";
            default:
                return "the line " + quote(new String(p.payload(), StandardCharsets.ISO_8859_1));
        }
    }
}
