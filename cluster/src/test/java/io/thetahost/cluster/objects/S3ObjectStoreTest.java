package io.thetahost.cluster.objects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.cluster.support.LocalCluster;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The object store on a real S3-compatible server (s3proxy, started by bench/cluster.sh). */
class S3ObjectStoreTest {
    static LocalCluster cluster;
    static S3ObjectStore store;
    static String endpoint;

    @BeforeAll
    static void up() throws Exception {
        cluster = LocalCluster.up();
        endpoint = cluster.value("--s3-endpoint");
        // The SDK's default chain reads these as it reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
        System.setProperty("aws.accessKeyId", cluster.value("AWS_ACCESS_KEY_ID"));
        System.setProperty("aws.secretAccessKey", cluster.value("AWS_SECRET_ACCESS_KEY"));
        store = new S3ObjectStore(ObjectStoreLocation.parse("s3://thetahost", endpoint, null));
    }

    @AfterAll
    static void down() throws Exception {
        store.close();
        cluster.close();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void smallAndMultipartObjectsReadBackWholeAndByRange() throws Exception {
        byte[] small = random(1000, 1);
        byte[] large = random(2 * S3ObjectStore.PART_BYTES + 12345, 2);
        store.put("t/small", new ByteArrayInputStream(small), small.length);
        store.put("t/large", new ByteArrayInputStream(large), large.length);
        assertEquals(Optional.of((long) large.length), store.size("t/large"));
        try (InputStream in = store.get("t/large", 0, large.length)) {
            assertArrayEquals(large, in.readAllBytes());
        }
        long from = S3ObjectStore.PART_BYTES - 7;
        try (InputStream in = store.get("t/large", from, from + 100)) {
            assertArrayEquals(Arrays.copyOfRange(large, (int) from, (int) from + 100), in.readAllBytes(),
                    "a range across a part boundary");
        }
        try (InputStream in = store.get("t/small", 10, 20)) {
            assertArrayEquals(Arrays.copyOfRange(small, 10, 20), in.readAllBytes());
        }
        assertEquals(List.of("t/large", "t/small"), store.list("t/", null, 10));
        assertEquals(List.of("t/small"), store.list("t/", "t/large", 10));
        assertEquals(List.of("t/large"), store.list("t/", null, 1));
    }

    @Test
    void aWriteThatFailsLeavesNoObject() {
        byte[] part = random(S3ObjectStore.PART_BYTES + 10, 3);
        InputStream shortStream = new ByteArrayInputStream(part);
        IOException e = assertThrows(IOException.class,
                () -> store.put("t/short", shortStream, part.length + 1000L));
        assertTrue(e.getMessage().contains("ended after"), e.getMessage());
        assertEquals(Optional.empty(), assertDoesNotThrowSize("t/short"), "no half-written object");
    }

    private static Optional<Long> assertDoesNotThrowSize(String key) {
        try {
            return store.size(key);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void missingObjectsAndDeletes() throws Exception {
        assertThrows(FileNotFoundException.class, () -> store.get("t/none", 0, 1));
        assertEquals(Optional.empty(), store.size("t/none"));
        store.put("t/gone", new ByteArrayInputStream(new byte[] {1}), 1);
        store.delete("t/gone");
        store.delete("t/gone");
        assertEquals(Optional.empty(), store.size("t/gone"));
    }

    @Test
    void wrongCredentialsAreAnErrorThatNamesTheBucket() {
        String id = System.getProperty("aws.accessKeyId");
        System.setProperty("aws.accessKeyId", "nobody");
        try (S3ObjectStore wrong = new S3ObjectStore(ObjectStoreLocation.parse("s3://thetahost", endpoint, null))) {
            IOException e = assertThrows(IOException.class,
                    () -> wrong.put("t/x", new ByteArrayInputStream(new byte[] {1}), 1));
            assertTrue(e.getMessage().contains("bucket thetahost"), e.getMessage());
        } finally {
            System.setProperty("aws.accessKeyId", id);
        }
    }

    @Test
    void locationsAreCheckedBeforeUse() {
        assertThrows(IllegalArgumentException.class, () -> ObjectStoreLocation.parse("gs://b", null, null));
        assertThrows(IllegalArgumentException.class, () -> ObjectStoreLocation.parse("s3://Bad_Bucket", null, null));
        assertThrows(IllegalArgumentException.class, () -> ObjectStoreLocation.parse("s3://ok-bucket", "ftp://h", null));
        assertEquals("us-east-1", ObjectStoreLocation.parse("s3://ok-bucket/", null, "").region());
    }
}
