package io.thetahost.cluster.objects;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An {@link ObjectStore} in an S3-compatible service, through the AWS SDK (credentials from its default chain:
 * {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}). Objects up to {@link #PART_BYTES} are one PUT; larger
 * ones a multipart upload of parts of that size, aborted on failure, so an object exists whole or not at all, and
 * memory is one part whatever the object's size.
 */
public final class S3ObjectStore implements ObjectStore {
    public static final int PART_BYTES = 8 << 20;
    private final S3Client s3;
    private final String bucket;

    public S3ObjectStore(ObjectStoreLocation location) {
        // Checksums only where S3 requires them: the SDK's default (trailing CRC checksums in chunked bodies, and
        // asking for checksums on reads) is refused by S3-compatible servers that predate it (s3proxy, older Ceph).
        S3ClientBuilder b = S3Client.builder().region(Region.of(location.region()))
                .httpClient(UrlConnectionHttpClient.create())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        location.endpoint().ifPresent(e -> b.endpointOverride(e).forcePathStyle(true));
        this.s3 = b.build();
        this.bucket = location.bucket();
    }

    @Override
    public void put(String key, InputStream bytes, long length) throws IOException {
        try {
            if (length <= PART_BYTES) {
                byte[] all = readFully(bytes, (int) length, key);
                s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(all));
                return;
            }
            String upload = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
            try {
                List<CompletedPart> parts = new ArrayList<>();
                long left = length;
                for (int n = 1; left > 0; n++) {
                    int size = (int) Math.min(PART_BYTES, left);
                    byte[] part = readFully(bytes, size, key);
                    int number = n;
                    String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(upload).partNumber(number),
                            RequestBody.fromBytes(part)).eTag();
                    parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                    left -= size;
                }
                s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(upload)
                        .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
            } catch (IOException | RuntimeException e) {
                try {
                    s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(upload));
                } catch (SdkException abort) {
                    e.addSuppressed(abort);
                }
                throw e;
            }
        } catch (SdkException e) {
            throw failure("write", key, e);
        }
    }

    private static byte[] readFully(InputStream in, int size, String key) throws IOException {
        byte[] buffer = in.readNBytes(size);
        if (buffer.length != size) {
            throw new IOException("the bytes for " + key + " ended after " + buffer.length + " of " + size);
        }
        return buffer;
    }

    @Override
    public InputStream get(String key, long from, long to) throws IOException {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("bytes " + from + " to " + to);
        }
        if (from == to) {
            return InputStream.nullInputStream();
        }
        try {
            return s3.getObject(r -> r.bucket(bucket).key(key).range("bytes=" + from + "-" + (to - 1)));
        } catch (NoSuchKeyException e) {
            throw new FileNotFoundException("no object " + key + " in bucket " + bucket);
        } catch (SdkException e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        try {
            return Optional.of(s3.headObject(r -> r.bucket(bucket).key(key)).contentLength());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("look up", key, e);
        } catch (SdkException e) {
            throw failure("look up", key, e);
        }
    }

    @Override
    public List<String> list(String prefix, String after, int limit) throws IOException {
        try {
            ListObjectsV2Response page = s3.listObjectsV2(r -> {
                r.bucket(bucket).prefix(prefix).maxKeys(limit);
                if (after != null) {
                    r.startAfter(after);
                }
            });
            return page.contents().stream().map(S3Object::key).toList();
        } catch (SdkException e) {
            throw failure("list", prefix + "*", e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw failure("delete", key, e);
        }
    }

    private IOException failure(String what, String key, SdkException e) {
        return new IOException("could not " + what + " " + key + " in bucket " + bucket + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        s3.close();
    }
}
