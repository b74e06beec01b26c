package dev.mtasts.reports;

import static dev.mtasts.store.Logs.log;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.mtasts.store.ReportStore;
import dev.mtasts.store.StoreUnavailableException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reports dropped under {@code incoming/} of the reports bucket (files, or e-mails an SES receipt rule stores
 * there): each is read, checked and stored, then moved under {@code processed/}, or under {@code rejected/} with
 * the reason in the object's metadata ({@code x-amz-meta-reason}); a report kept already (the same report by HTTPS,
 * or e-mailed to a second address) is counted once and its copy removed. Nothing is deleted before it has a home.
 *
 * <p>Two events start it: S3's "Object Created", as EventBridge hands it over (one object), and the stack's hourly
 * schedule (any other event), which sweeps {@code incoming/}. A passing failure (DynamoDB or S3 unavailable) is
 * thrown, so Lambda retries and the object stays in {@code incoming/}; nothing else escapes, not even an
 * {@link Error}: an object that cannot be processed goes to {@code rejected/} with the reason. What is still in
 * {@code incoming/} after Lambda's retries is taken up again by the sweep, which looks at every object there older
 * than {@link #SWEEP_AFTER} and counts those waiting more than a day ({@code ReportsWaiting}, with an alarm).
 */
public final class S3ReportHandler implements RequestHandler<Map<String, Object>, String> {
    public static final String INCOMING = "incoming/";
    public static final String PROCESSED = "processed/";
    public static final String REJECTED = "rejected/";
    /** Objects younger than this are left to their own S3 event, which may still be on them. */
    static final Duration SWEEP_AFTER = Duration.ofMinutes(15);
    /** Waiting longer than this is worth an alarm: every retry has failed. */
    static final Duration STUCK_AFTER = Duration.ofDays(1);
    /** The sweep stops with this much of the function's time left, so it ends as an answer, not a timeout. */
    private static final long SWEEP_RESERVE_MILLIS = 20_000;

    private final Ingest ingest;
    private final S3Client s3;
    private final String bucket;
    private final Metrics metrics;
    private final Clock clock;

    /** Lambda entry point: clients built once per container. */
    public S3ReportHandler() {
        this(new Settings(System.getenv()));
    }

    private S3ReportHandler(Settings settings) {
        this(settings.ingest(), settings.s3(), settings.bucket(), settings.metrics(), Clock.systemUTC());
    }

    public S3ReportHandler(Ingest ingest, S3Client s3, String bucket, Metrics metrics, Clock clock) {
        this.ingest = ingest;
        this.s3 = s3;
        this.bucket = bucket;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** What became of one object. */
    enum Result { STORED, DUPLICATE, REJECTED, GONE }

    /** The object an S3 "Object Created" event names, as EventBridge hands it over; null for any other event. */
    record Created(String bucket, String key) {
        static Created of(Map<String, Object> event) {
            if (event == null || !"aws.s3".equals(event.get("source")) || !(event.get("detail") instanceof Map<?, ?> detail)
                    || !(detail.get("bucket") instanceof Map<?, ?> bucket) || !(detail.get("object") instanceof Map<?, ?> object)
                    || !(bucket.get("name") instanceof String name) || !(object.get("key") instanceof String key)) {
                return null;
            }
            return new Created(name, key);
        }
    }

    @Override
    public String handleRequest(Map<String, Object> event, Context context) {
        Created created = Created.of(event);
        if (created == null) {
            return sweep(context);
        }
        Map<Result, Integer> counts = new java.util.EnumMap<>(Result.class);
        if (created.key().startsWith(INCOMING)) {
            counts.merge(take(created.bucket(), created.key(), context), 1, Integer::sum);
        }
        String summary = summary(counts);
        log(context, LogLevel.INFO, summary);
        return summary;
    }

    /**
     * Takes up what is left in {@code incoming/}: objects whose event was lost or whose retries all failed. Older
     * than {@link #SWEEP_AFTER} only, oldest first by listing, as long as the function has time.
     */
    private String sweep(Context context) {
        Instant now = clock.instant();
        Map<Result, Integer> counts = new java.util.EnumMap<>(Result.class);
        long waiting = 0;
        String token = null;
        boolean outOfTime = false;
        do {
            String from = token;
            ListObjectsV2Response page = s3.listObjectsV2(r -> r.bucket(bucket).prefix(INCOMING).continuationToken(from));
            for (S3Object o : page.contents()) {
                if (o.key().endsWith("/") || o.lastModified().isAfter(now.minus(SWEEP_AFTER))) {
                    continue;
                }
                outOfTime |= context != null && context.getRemainingTimeInMillis() < SWEEP_RESERVE_MILLIS;
                if (outOfTime) {
                    waiting += o.lastModified().isBefore(now.minus(STUCK_AFTER)) ? 1 : 0;
                    continue;
                }
                try {
                    counts.merge(take(bucket, o.key(), context), 1, Integer::sum);
                } catch (StoreUnavailableException | SdkException | java.io.UncheckedIOException e) {
                    // still passing: the object waits for the next sweep
                    log(context, LogLevel.WARN, o.key() + ": not taken up now: " + e.getMessage());
                    waiting += o.lastModified().isBefore(now.minus(STUCK_AFTER)) ? 1 : 0;
                }
            }
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        metrics.waiting(waiting);
        String summary = "swept incoming/: " + summary(counts) + ", waiting more than a day " + waiting;
        log(context, waiting > 0 ? LogLevel.WARN : LogLevel.INFO, summary);
        return summary;
    }

    private static String summary(Map<Result, Integer> counts) {
        return "stored " + counts.getOrDefault(Result.STORED, 0) + ", duplicates " + counts.getOrDefault(Result.DUPLICATE, 0)
                + ", rejected " + counts.getOrDefault(Result.REJECTED, 0);
    }

    /** Reads, stores and moves one object of {@code incoming/}. */
    private Result take(String bucket, String key, Context context) {
        String rest = key.substring(INCOMING.length());
        ResponseInputStream<GetObjectResponse> object;
        try {
            object = s3.getObject(r -> r.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            log(context, LogLevel.INFO, key + ": already handled (S3 delivered the event twice)");
            return Result.GONE;
        }
        try (InputStream in = object) {
            Ingest.Accepted accepted = ingest.accept(in, key, null);
            ReportStore.Stored stored = ingest.record(accepted, PROCESSED + rest, null);
            if (stored.outcome() == ReportStore.Outcome.STORED || (PROCESSED + rest).equals(stored.rawKey())) {
                // stored now, or by an earlier try of this very object that ended before the move
                move(bucket, key, PROCESSED + rest, Map.of());
                return stored.outcome() == ReportStore.Outcome.STORED ? Result.STORED : Result.DUPLICATE;
            }
            // the report is counted and its original kept already (by HTTPS, or another e-mail): no second copy
            log(context, LogLevel.INFO, key + ": a report kept already under " + stored.rawKey() + "; counted once, "
                    + "this copy removed");
            s3.deleteObject(r -> r.bucket(bucket).key(key));
            return Result.DUPLICATE;
        } catch (Ingest.Rejected e) {
            ingest.rejected("s3", e);
            log(context, LogLevel.WARN, key + ": rejected (" + e.kind() + "): " + e.getMessage());
            move(bucket, key, REJECTED + rest, Map.of("reason", HttpReportHandler.ascii(e.getMessage())));
            return Result.REJECTED;
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
            return Result.REJECTED;
        }
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
