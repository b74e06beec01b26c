package dev.mtasts.reports;

import static dev.mtasts.store.Logs.log;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.mtasts.store.ReportStore;
import dev.mtasts.store.StoreUnavailableException;
import software.amazon.awssdk.core.exception.SdkException;
import java.io.InputStream;
import java.util.Map;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Reports dropped under {@code incoming/} of the reports bucket (files, or e-mails an SES receipt rule stores
 * there): each is read, checked and stored, then moved under {@code processed/}, or under {@code rejected/} with
 * the reason in the object's metadata ({@code x-amz-meta-reason}). Nothing is deleted before it has a new home.
 * A passing failure (DynamoDB or S3 unavailable) is thrown, so Lambda retries and the object stays in
 * {@code incoming/}; nothing else escapes, not even an {@link Error}: an object that cannot be processed goes to
 * {@code rejected/} with the reason.
 */
public final class S3ReportHandler implements RequestHandler<S3Event, String> {
    public static final String INCOMING = "incoming/";
    public static final String PROCESSED = "processed/";
    public static final String REJECTED = "rejected/";

    private final Ingest ingest;
    private final S3Client s3;

    /** Lambda entry point: clients built once per container. */
    public S3ReportHandler() {
        this(new Settings(System.getenv()));
    }

    private S3ReportHandler(Settings settings) {
        this(settings.ingest(), settings.s3());
    }

    public S3ReportHandler(Ingest ingest, S3Client s3) {
        this.ingest = ingest;
        this.s3 = s3;
    }

    @Override
    public String handleRequest(S3Event event, Context context) {
        int stored = 0;
        int duplicates = 0;
        int rejected = 0;
        for (S3EventNotificationRecord record : event.getRecords()) {
            String bucket = record.getS3().getBucket().getName();
            String key = record.getS3().getObject().getUrlDecodedKey();
            if (!key.startsWith(INCOMING)) {
                continue;
            }
            String rest = key.substring(INCOMING.length());
            ResponseInputStream<GetObjectResponse> object;
            try {
                object = s3.getObject(r -> r.bucket(bucket).key(key));
            } catch (NoSuchKeyException e) {
                log(context, LogLevel.INFO, key + ": already handled (S3 delivered the event twice)");
                continue;
            }
            try (InputStream in = object) {
                Ingest.Accepted accepted = ingest.accept(in, key, null);
                ReportStore.Outcome outcome = ingest.record(accepted, PROCESSED + rest);
                move(bucket, key, PROCESSED + rest, Map.of());
                if (outcome == ReportStore.Outcome.STORED) {
                    stored++;
                } else {
                    duplicates++;
                }
            } catch (Ingest.Rejected e) {
                ingest.rejected("s3", e);
                log(context, LogLevel.WARN, key + ": rejected (" + e.kind() + "): " + e.getMessage());
                move(bucket, key, REJECTED + rest, Map.of("reason", HttpReportHandler.ascii(e.getMessage())));
                rejected++;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(key + ": " + e.getMessage(), e);
            } catch (StoreUnavailableException | SdkException | java.io.UncheckedIOException e) {
                throw e; // passing: Lambda tries the event again, and the object waits in incoming/
            } catch (RuntimeException | Error e) {
                // not the input's fault as far as anyone knows, but trying again would fail again: kept, with why
                String reason = "not processed: an internal error (" + e.getClass().getSimpleName()
                        + "); the object can be ingested again with mta-sts report ingest";
                log(context, LogLevel.ERROR, key + ": " + reason + ": " + e);
                ingest.rejected("s3", new Ingest.Rejected(dev.mtasts.core.report.ReportException.Kind.INVALID, reason, false));
                move(bucket, key, REJECTED + rest, Map.of("reason", reason));
                rejected++;
            }
        }
        String summary = "stored " + stored + ", duplicates " + duplicates + ", rejected " + rejected;
        log(context, LogLevel.INFO, summary);
        return summary;
    }

    private void move(String bucket, String from, String to, Map<String, String> metadata) {
        s3.copyObject(r -> {
            r.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket).destinationKey(to);
            if (!metadata.isEmpty()) {
                r.metadata(metadata).metadataDirective(MetadataDirective.REPLACE);
            }
        });
        s3.deleteObject(r -> r.bucket(bucket).key(from));
    }

}
