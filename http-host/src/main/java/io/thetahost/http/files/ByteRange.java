package io.thetahost.http.files;

import java.util.Optional;

/**
 * A {@code Range: bytes=...} request header, single ranges only ({@code a-b}, {@code a-}, {@code -n}). Several ranges,
 * other units and malformed values are ignored (RFC 9110 lets a server answer those with the whole file);
 * a well-formed range that starts past the end is unsatisfiable (416).
 *
 * @param from first byte (inclusive)
 * @param to end (exclusive)
 */
public record ByteRange(long from, long to) {
    /** What a Range header asks for, given the file's size. */
    public sealed interface Asked permits Whole, Part, Unsatisfiable {
    }

    public record Whole() implements Asked {
    }

    public record Part(ByteRange range) implements Asked {
    }

    public record Unsatisfiable() implements Asked {
    }

    /** Longest Range header considered. */
    static final int MAX_LENGTH = 200;

    public long length() {
        return to - from;
    }

    public static Asked parse(String header, long size) {
        if (header == null || header.length() > MAX_LENGTH) {
            return new Whole();
        }
        String h = header.strip();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return new Whole();
        }
        String spec = h.substring(6).strip();
        if (spec.indexOf(',') >= 0) {
            return new Whole();
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Whole();
        }
        Optional<Long> first = number(spec.substring(0, dash).strip());
        Optional<Long> last = number(spec.substring(dash + 1).strip());
        if (dash == 0) {
            // A suffix: the last n bytes.
            if (last.isEmpty()) {
                return new Whole();
            }
            long n = last.get();
            if (n == 0) {
                return new Unsatisfiable();
            }
            return new Part(new ByteRange(Math.max(0, size - n), size));
        }
        if (first.isEmpty() || (dash < spec.length() - 1 && last.isEmpty())) {
            return new Whole();
        }
        long from = first.get();
        if (last.isPresent() && last.get() < from) {
            return new Whole();
        }
        if (from >= size) {
            return new Unsatisfiable();
        }
        long to = last.map(l -> Math.min(l + 1, size)).orElse(size);
        return new Part(new ByteRange(from, to));
    }

    private static Optional<Long> number(String s) {
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(s));
    }
}
