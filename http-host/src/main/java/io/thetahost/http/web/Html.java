package io.thetahost.http.web;

import java.util.Locale;

/** Escaping, sizes, and the page frame every page shares (styles inline: nothing is fetched from elsewhere). */
final class Html {
    private static final String STYLE = """
            body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
            header{background:#24292f;color:#fff;padding:10px 24px}header a{color:#fff;text-decoration:none}
            main{max-width:1100px;margin:0 auto;padding:16px 24px}
            table{border-collapse:collapse;width:100%;background:#fff}td,th{border-bottom:1px solid #ddd;
            padding:4px 8px;text-align:left;vertical-align:top}th{background:#f0f0f0}
            td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}code,pre{font:13px ui-monospace,monospace}
            pre{background:#f3f3f3;padding:8px;overflow:auto}.muted{color:#666}
            .added{color:#1a7f37}.removed{color:#cf222e}.changed{color:#9a6700}.readme{background:#fff;
            padding:8px 16px;border:1px solid #ddd}nav a{margin-right:14px}.heatmap{background:#fff;
            border:1px solid #ddd;margin:8px 0}
            """;

    private Html() {
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A path segment for a link (every byte but unreserved ones percent-encoded; slashes kept). */
    static String url(String path) {
        StringBuilder out = new StringBuilder();
        for (byte b : path.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~/".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append(String.format(Locale.ROOT, "%%%02X", c));
            }
        }
        return out.toString();
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String page(String title, String repository, String body) {
        StringBuilder nav = new StringBuilder();
        if (repository != null) {
            String r = "/" + url(repository);
            nav.append(" / <a href=\"").append(r).append("\">").append(escape(repository)).append("</a>");
        }
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                + "content=\"width=device-width,initial-scale=1\"><title>" + escape(title) + " - thetahost</title>"
                + "<style>" + STYLE + "</style></head><body><header><a href=\"/\">thetahost</a>" + nav
                + "</header><main>" + body + "</main></body></html>";
    }
}
