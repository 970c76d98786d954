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
}
