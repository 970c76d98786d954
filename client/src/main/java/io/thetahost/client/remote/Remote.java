package io.thetahost.client.remote;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where a repository lives, parsed from a URL as git writes it: {@code ssh://[user@]host[:port]/OWNER/NAME.git},
 * scp-like {@code [user@]host:OWNER/NAME.git}, or {@code http[s]://host[:port]/OWNER/NAME.git}.
 *
 * @param user null when the URL names none (ssh then uses its own default)
 * @param password the password (an access token) an HTTP URL carries as {@code user:token@}, or null; git uses it for
 *     that URL, so theta does too. Never printed: {@link #toString()} leaves the user information out
 * @param port -1 when the URL names none
 * @param path the repository path without a leading slash, for example {@code alice/t5.git}
 */
public record Remote(Scheme scheme, String user, String password, String host, int port, String path) {

    public enum Scheme { SSH, HTTP, HTTPS }

    /** @throws IllegalArgumentException for anything else, with the URL in the message */
    public static Remote parse(String url) {
        if (url.startsWith("ssh://") || url.startsWith("http://") || url.startsWith("https://")) {
            URI u;
            try {
                u = new URI(url);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a repository URL: " + url + " (" + e.getReason() + ")");
            }
            if (u.getHost() == null || u.getPath() == null || u.getPath().length() < 2) {
                throw new IllegalArgumentException("not a repository URL: " + url + " (it needs a host and a path)");
            }
            Scheme scheme = Scheme.valueOf(u.getScheme().toUpperCase(java.util.Locale.ROOT));
            String[] userInfo = u.getUserInfo() == null ? new String[0] : u.getUserInfo().split(":", 2);
            return new Remote(scheme, userInfo.length > 0 ? userInfo[0] : null, userInfo.length > 1 ? userInfo[1] : null,
                    u.getHost(), u.getPort(), u.getPath().substring(1));
        }
        int colon = url.indexOf(':');
        int slash = url.indexOf('/');
        if (colon > 0 && (slash < 0 || colon < slash)) {
            String userHost = url.substring(0, colon);
            int at = userHost.lastIndexOf('@');
            String path = url.substring(colon + 1);
            if (path.startsWith("/")) {
                path = path.substring(1);
            }
            return new Remote(Scheme.SSH, at < 0 ? null : userHost.substring(0, at), null, userHost.substring(at + 1),
                    -1, path);
        }
        throw new IllegalArgumentException("not a repository URL: " + url
                + " (expected ssh://, http://, https:// or user@host:path)");
    }

    /** The endpoint of the theta transfer protocol for this repository over HTTP. */
    public URI transferUri() {
        if (scheme == Scheme.SSH) {
            throw new IllegalStateException("no HTTP endpoint for an SSH remote");
        }
        String base = scheme.name().toLowerCase(java.util.Locale.ROOT) + "://" + host + (port < 0 ? "" : ":" + port)
                + "/" + path;
        return URI.create(base + (base.endsWith("/") ? "" : "/") + "theta-transfer");
    }

    @Override
    public String toString() {
        return scheme == Scheme.SSH
                ? "ssh://" + (user == null ? "" : user + "@") + host + (port < 0 ? "" : ":" + port) + "/" + path
                : scheme.name().toLowerCase(java.util.Locale.ROOT) + "://" + host + (port < 0 ? "" : ":" + port)
                        + "/" + path;
    }
}
