package io.thetahost.server.state;

import io.thetahost.cluster.database.DatabaseUrl;
import io.thetahost.cluster.objects.ObjectStoreLocation;
import java.util.Optional;

/** Where the state several fronts share lives, from the command line, and how much a front may cache locally. */
public record ClusterSettings(DatabaseUrl database, ObjectStoreLocation objectStore, long cacheBytes) {

    /**
     * @throws IllegalArgumentException naming the option that is wrong
     */
    public static ClusterSettings parse(String database, String objectStore, String s3Endpoint, String s3Region,
            long cacheBytes) {
        return new ClusterSettings(DatabaseUrl.parse(database, Optional.ofNullable(System.getenv("PGPASSWORD"))),
                ObjectStoreLocation.parse(objectStore, s3Endpoint, s3Region), cacheBytes);
    }
}
