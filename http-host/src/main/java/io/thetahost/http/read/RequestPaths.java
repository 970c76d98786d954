package io.thetahost.http.read;

import io.thetahost.hooks.naming.InvalidNameException;
import io.thetahost.hooks.naming.RepositoryName;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.lib.Repository;

/**
 * The parts of a read URL after the repository: {@code REV/PATH}, each segment percent-decoded. A revision may hold
 * slashes (a branch {@code feature/x}): sent encoded ({@code feature%2Fx}, as huggingface_hub does) it is one segment;
 * sent plain, the longest leading run of segments that names a branch or tag is the revision, as GitLab reads it.
 */
public final class RequestPaths {
    /** The longest path in a request considered. */
    static final int MAX_PATH_LENGTH = 4096;

    private RequestPaths() {
    }

    /** A revision and a file path within it (empty for the root). */
    public record RevisionAndPath(String revision, String path) {
    }

    /**
     * Splits raw (still percent-encoded) segments into a revision and a path.
     *
     * @throws ReadRefusal 400 for a malformed encoding, an empty, {@code .} or {@code ..} segment, or a control
     *     character
     */
    public static RevisionAndPath split(Repository repository, List<String> rawSegments) throws ReadRefusal,
            IOException {
        if (rawSegments.isEmpty()) {
            throw ReadRefusal.badRequest("the URL names no revision: add /REV/PATH");
        }
        List<String> segments = new ArrayList<>(rawSegments.size());
        for (String raw : rawSegments) {
            segments.add(decode(raw));
        }
        int revisionSegments = 1;
        for (int n = segments.size(); n > 1; n--) {
            if (Revisions.isRefName(repository, String.join("/", segments.subList(0, n)))) {
                revisionSegments = n;
                break;
            }
        }
        String revision = String.join("/", segments.subList(0, revisionSegments));
        List<String> path = segments.subList(revisionSegments, segments.size());
        for (String s : path) {
            checkPathSegment(s);
        }
        return new RevisionAndPath(revision, String.join("/", path));
    }

    /** One percent-decoded segment ({@code +} stays a plus: this is a path, not a form). */
    public static String decode(String raw) throws ReadRefusal {
        if (raw.length() > MAX_PATH_LENGTH) {
            throw ReadRefusal.badRequest("the URL's path is longer than " + MAX_PATH_LENGTH + " characters");
        }
        String decoded;
        try {
            decoded = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ReadRefusal.badRequest("malformed percent-encoding in the URL: " + e.getMessage());
        }
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                throw ReadRefusal.badRequest("the URL holds a control character or a backslash");
            }
        }
        return decoded;
    }

    /** The repository a path's first two raw segments name, or a 400 for an invalid name. */
    public static RepositoryName repository(String owner, String name) throws ReadRefusal {
        try {
            return RepositoryName.parse(decode(owner) + "/" + decode(name));
        } catch (InvalidNameException e) {
            throw ReadRefusal.badRequest(e.getMessage());
        }
    }

    /** Raw segments percent-decoded one by one and joined with slashes: a revision or a revision range. */
    public static String joined(List<String> rawSegments) throws ReadRefusal {
        List<String> parts = new ArrayList<>(rawSegments.size());
        for (String raw : rawSegments) {
            parts.add(decode(raw));
        }
        return String.join("/", parts);
    }

    /**
     * A whole-number query parameter ({@code page}, {@code per_page}, {@code cursor}).
     *
     * @throws ReadRefusal 400 naming the parameter and its range
     */
    public static int number(String value, int fallback, int min, int max, String name) throws ReadRefusal {
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw ReadRefusal.badRequest(name + " must be a whole number from " + min + " to " + max);
        }
    }

    /** A path within a repository: slash-separated segments, none empty, {@code .} or {@code ..}. */
    public static String checkPath(String path) throws ReadRefusal {
        if (path.isEmpty()) {
            return path;
        }
        for (String s : path.split("/", -1)) {
            checkPathSegment(s);
        }
        return path;
    }

    private static void checkPathSegment(String s) throws ReadRefusal {
        if (s.isEmpty() || s.equals(".") || s.equals("..")) {
            throw ReadRefusal.badRequest("invalid file path: empty, '.' and '..' segments are not allowed");
        }
        if (s.indexOf('/') >= 0) {
            throw ReadRefusal.badRequest("invalid file path: an encoded '/' inside a segment is not allowed");
        }
    }
}
