package io.thetahost.server.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options for several fronts that cannot work are refused, naming the option, before anything is made on disk. */
class HostOptionsTest {
    @TempDir
    Path tmp;

    private String refused(String database, String objectStore, String endpoint, long cacheMib) {
        HostOptions o = new HostOptions();
        o.data = tmp.resolve("data");
        o.database = database;
        o.objectStore = objectStore;
        o.s3Endpoint = endpoint;
        o.cacheMib = cacheMib;
        String message = assertThrows(IllegalArgumentException.class, o::open).getMessage();
        assertFalse(Files.exists(o.data), "nothing made for a refused command: " + message);
        return message;
    }

    @Test
    void badClusterOptionsAreNamedAndChangeNothing() {
        assertTrue(refused("postgresql://u@h/db", null, null, 512).contains("--database and --object-store go"));
        assertTrue(refused(null, "s3://bucket", null, 512).contains("--database and --object-store go"));
        assertTrue(refused("mysql://u@h/db", "s3://bucket", null, 512).contains("--database must be a postgresql"));
        String secret = refused("postgresql://u:secret@h/db", "s3://Bad_Bucket", null, 512);
        assertTrue(secret.contains("is not a bucket name") && !secret.contains("secret"), secret);
        assertTrue(refused("postgresql://u@h/db", "s3://bucket", "ftp://x", 512).contains("--s3-endpoint must be"));
        assertTrue(refused("postgresql://u@h/db", "s3://bucket", null, 7).contains("--cache-mib must be at least 8"));
    }
}
