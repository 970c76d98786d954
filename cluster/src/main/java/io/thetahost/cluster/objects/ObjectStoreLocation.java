package io.thetahost.cluster.objects;

import java.net.URI;
import java.util.Optional;

/**
 * {@code --object-store s3://BUCKET} with {@code --s3-endpoint} (MinIO, Ceph RGW, s3proxy: path-style addressing) or
 * without (AWS S3, in {@code --s3-region}).
 */
public record ObjectStoreLocation(String bucket, Optional<URI> endpoint, String region) {
    static final String DEFAULT_REGION = "us-east-1";

    /**
     * @throws IllegalArgumentException naming what is wrong and the form expected
     */
    public static ObjectStoreLocation parse(String store, String endpoint, String region) {
        if (store == null || !store.startsWith("s3://")) {
            throw new IllegalArgumentException("--object-store must be s3://BUCKET, not '" + store + "'");
        }
        String bucket = store.substring(5);
        if (bucket.endsWith("/")) {
            bucket = bucket.substring(0, bucket.length() - 1);
        }
        // S3's bucket naming rules: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a
        // letter or digit.
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("--object-store '" + store + "': '" + bucket + "' is not a bucket name"
                    + " (3 to 63 lowercase letters, digits, dots and hyphens)");
        }
        Optional<URI> uri = Optional.empty();
        if (endpoint != null) {
            URI u = URI.create(endpoint);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("--s3-endpoint must be http://HOST[:PORT] or https://..., not '"
                        + endpoint + "'");
            }
            uri = Optional.of(u);
        }
        return new ObjectStoreLocation(bucket, uri, region == null || region.isBlank() ? DEFAULT_REGION : region);
    }
}
