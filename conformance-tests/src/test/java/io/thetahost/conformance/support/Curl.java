package io.thetahost.conformance.support;

import java.util.ArrayList;
import java.util.List;

/** The real curl, as someone without git would poke at the HTTP listener. */
public final class Curl {
    private Curl() {
    }

    /** An HTTP answer: status, headers (lowercase names, as curl prints them, with their lines) and body. */
    public record Response(int status, String headers, String body) {
        public boolean hasHeader(String line) {
            return headers.toLowerCase().contains(line.toLowerCase());
        }
    }

    /** Runs {@code curl -sS -i ARGS}, and splits what came back. */
    public static Response run(String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-i", "--max-time", "60"));
        cmd.addAll(List.of(args));
        Cmd.Result r = Cmd.of(cmd).run().assertOk();
        String all = r.out();
        int split = all.indexOf("\r\n\r\n");
        String head = split < 0 ? all : all.substring(0, split);
        String body = split < 0 ? "" : all.substring(split + 4);
        String statusLine = head.lines().findFirst().orElse("");
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        return new Response(status, head, body);
    }

    /** An answer whose body went to a file: status, headers, and the body's bytes. */
    public record Download(int status, String headers, byte[] body) {
        public boolean hasHeader(String line) {
            return headers.toLowerCase().contains(line.toLowerCase());
        }

        /** The value of a header (the first one so named), or null. */
        public String header(String name) {
            return headers.lines().filter(l -> l.toLowerCase().startsWith(name.toLowerCase() + ":")).findFirst()
                    .map(l -> l.substring(name.length() + 1).strip()).orElse(null);
        }
    }

    /** Runs {@code curl -sS -D - -o FILE ARGS}: binary bodies stay bytes. */
    public static Download download(java.nio.file.Path file, String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60", "-D", "-", "-o",
                file.toString()));
        cmd.addAll(List.of(args));
        Cmd.Result r = Cmd.of(cmd).run().assertOk();
        String head = r.out().strip();
        // After a 100 Continue or a redirect curl prints several heads: the last one counts.
        int last = head.lastIndexOf("HTTP/");
        head = head.substring(Math.max(0, last));
        int status = Integer.parseInt(head.lines().findFirst().orElse("").split(" ")[1]);
        try {
            byte[] body = java.nio.file.Files.exists(file) ? java.nio.file.Files.readAllBytes(file) : new byte[0];
            java.nio.file.Files.deleteIfExists(file);
            return new Download(status, head, body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
