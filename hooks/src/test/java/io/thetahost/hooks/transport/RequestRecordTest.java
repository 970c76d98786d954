package io.thetahost.hooks.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RequestRecordTest {
    private static final Instant TIME = Instant.parse("2025-03-04T05:06:07.123Z");

    private static RequestRecord record(String result, String detail) {
        return new RequestRecord(TIME, "ssh", "alice", "alice/t5", "git-upload-pack", 2, 120, 4096, 37, result,
                detail);
    }

    @Test
    void lineHasFixedKeyOrderAndNoDetailWhenEmpty() {
        assertEquals("2025-03-04T05:06:07.123Z transport=ssh user=alice repo=alice/t5 service=git-upload-pack"
                + " protocol=2 in=120 out=4096 ms=37 result=ok", record("ok", "").toLine());
    }

    @Test
    void detailIsQuotedAtTheEnd() {
        assertEquals("2025-03-04T05:06:07.123Z transport=ssh user=alice repo=alice/t5 service=git-upload-pack"
                + " protocol=2 in=120 out=4096 ms=37 result=not-found detail=\"repository not found\"",
                record("not-found", "repository not found").toLine());
    }

    @Test
    void doubleQuotesAndNewlinesInDetailCannotBreakTheLine() {
        String line = record("error", "bad \"name\"\nsecond line").toLine();
        assertEquals("2025-03-04T05:06:07.123Z transport=ssh user=alice repo=alice/t5 service=git-upload-pack"
                + " protocol=2 in=120 out=4096 ms=37 result=error detail=\"bad 'name' second line\"", line);
    }

    @Test
    void anonymousRequestWithoutRepositoryUsesDashes() {
        RequestRecord r = new RequestRecord(TIME, "http", "-", "-", "-", 0, 0, 0, 1, "bad-request", "");
        assertEquals("2025-03-04T05:06:07.123Z transport=http user=- repo=- service=- protocol=0 in=0 out=0 ms=1"
                + " result=bad-request", r.toLine());
    }
}
