package io.thetahost.http.compare;

import io.thetahost.http.read.ReadRefusal;

/** {@code A...B} as a comparison's address names two revisions (either may hold slashes, none holds three dots). */
public record RevisionRange(String from, String to) {
    public static RevisionRange parse(String range) throws ReadRefusal {
        int dots = range.indexOf("...");
        if (dots <= 0 || dots + 3 >= range.length()) {
            throw ReadRefusal.badRequest("expected A...B, two revisions separated by three dots, not '" + range
                    + "'");
        }
        return new RevisionRange(range.substring(0, dots), range.substring(dots + 3));
    }
}
