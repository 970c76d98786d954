package io.thetahost.http.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangeTest {
    private static final long SIZE = 1000;

    private static ByteRange.Asked parse(String header) {
        return ByteRange.parse(header, SIZE);
    }

    private static ByteRange.Asked part(long from, long to) {
        return new ByteRange.Part(new ByteRange(from, to));
    }

    @Test
    void singleRangesOfEachForm() {
        assertEquals(part(0, 8), parse("bytes=0-7"));
        assertEquals(part(10, 1000), parse("bytes=10-"));
        assertEquals(part(900, 1000), parse("bytes=-100"));
        assertEquals(part(0, 1000), parse("bytes=-5000"));
        assertEquals(part(990, 1000), parse("bytes=990-5000"), "an end past the file is cut to it");
        assertEquals(part(5, 6), parse(" BYTES = 5-5 ".replace(" = ", "=")));
    }

    @Test
    void startingAtOrPastTheEndIsUnsatisfiable() {
        assertEquals(new ByteRange.Unsatisfiable(), parse("bytes=1000-"));
        assertEquals(new ByteRange.Unsatisfiable(), parse("bytes=5000-6000"));
        assertEquals(new ByteRange.Unsatisfiable(), parse("bytes=-0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bytes", "bytes=", "bytes=-", "items=0-5", "bytes=5-2", "bytes=0-1,4-5", "bytes=a-b",
            "bytes=1-2-3", "bytes=+1-2", "bytes=99999999999999999999-", "bytes=0x10-"})
    void anythingElseIsTheWholeFile(String header) {
        assertEquals(new ByteRange.Whole(), parse(header));
    }

    @Test
    void noHeaderOrAnOverlongOneIsTheWholeFile() {
        assertEquals(new ByteRange.Whole(), parse(null));
        assertEquals(new ByteRange.Whole(), parse("bytes=0-" + "9".repeat(300)));
    }
}
