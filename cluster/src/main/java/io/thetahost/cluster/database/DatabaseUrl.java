package io.thetahost.cluster.database;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A {@code --database} value, {@code postgresql://USER[:PASSWORD]@HOST[:PORT]/DB}, as libpq writes it, turned into
 * what JDBC wants. The password may also come from {@code PGPASSWORD}, as for psql.
 *
 * @param password empty when neither the URL nor the environment gives one
 */
public record DatabaseUrl(String host, int port, String database, String user, Optional<String> password) {
    static final int DEFAULT_PORT = 5432;

    /**
     * @throws IllegalArgumentException naming what is wrong and the form expected
     */
    public static DatabaseUrl parse(String value, Optional<String> pgPassword) {
        String expected = "; expected postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE";
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--database '" + value + "' is not a URL: " + e.getReason() + expected);
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException("--database must be a postgresql:// URL, not '" + value + "'"
                    + expected);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("--database '" + value + "' names no host" + expected);
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new IllegalArgumentException("--database '" + value + "': port " + uri.getPort()
                    + " is not a TCP port" + expected);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (path.length() < 2 || path.indexOf('/', 1) >= 0) {
            throw new IllegalArgumentException("--database '" + value + "' names no database" + expected);
        }
        String info = uri.getRawUserInfo();
        if (info == null || info.isEmpty() || info.startsWith(":")) {
            throw new IllegalArgumentException("--database '" + value + "' names no user" + expected);
        }
        int colon = info.indexOf(':');
        String user = decode(colon < 0 ? info : info.substring(0, colon));
        Optional<String> password = colon < 0 ? pgPassword.filter(p -> !p.isEmpty())
                : Optional.of(decode(info.substring(colon + 1)));
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("--database '" + value + "': parameters after '?' are not supported"
                    + expected);
        }
        return new DatabaseUrl(uri.getHost(), uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(), path.substring(1),
                user, password);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** For messages and logs: never the password. */
    @Override
    public String toString() {
        return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
    }
}
