package dev.mtasts.reports;

import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Raw deliveries in the reports bucket. */
public final class S3RawStore implements RawStore {
    private final S3Client s3;
    private final String bucket;

    public S3RawStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    /** A conditional write (If-None-Match: *): S3 answers 412 when the key is taken, and nothing is replaced. */
    @Override
    public void putIfAbsent(String key, byte[] bytes, String contentType, Map<String, String> metadata) {
        try {
            s3.putObject(r -> r.bucket(bucket).key(key).contentType(contentType).metadata(metadata).ifNoneMatch("*"),
                    RequestBody.fromBytes(bytes));
        } catch (S3Exception e) {
            if (e.statusCode() != 412) {
                throw e;
            }
        }
    }

    @Override
    public void delete(String key) {
        s3.deleteObject(r -> r.bucket(bucket).key(key));
    }
}
