package dev.mtasts.reports;

import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Raw deliveries in the reports bucket. */
public final class S3RawStore implements RawStore {
    private final S3Client s3;
    private final String bucket;

    public S3RawStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    @Override
    public void put(String key, byte[] bytes, String contentType, Map<String, String> metadata) {
        s3.putObject(r -> r.bucket(bucket).key(key).contentType(contentType).metadata(metadata),
                RequestBody.fromBytes(bytes));
    }
}
