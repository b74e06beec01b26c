package dev.mtasts.reports;

import dev.mtasts.core.report.Limits;
import dev.mtasts.core.report.ReportReader;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.Notices;
import dev.mtasts.store.ReportStore;
import dev.mtasts.store.SourceAllowance;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.sns.SnsClient;

/** The reports functions' configuration, read once per container from the environment template.yaml sets. */
final class Settings {
    static final String BUCKET_ENV = "REPORTS_BUCKET";
    static final String ALERT_TOPIC_ENV = "ALERT_TOPIC_ARN";
    /** {@code ses} (default): honour the DKIM verdict SES recorded; {@code off}: another pipeline checked it. */
    static final String DKIM_ENV = "EMAIL_DKIM";

    private final Map<String, String> env;

    Settings(Map<String, String> env) {
        this.env = env;
    }

    String get(String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : v.strip();
    }

    String bucket() {
        return get(BUCKET_ENV, "mta-sts-reports-local");
    }

    boolean requireDkim() {
        return !get(DKIM_ENV, "ses").equalsIgnoreCase("off");
    }

    Limits limits() {
        return Limits.of(env.get("MAX_COMPRESSED_BYTES"), env.get("MAX_DECOMPRESSED_BYTES"));
    }

    private software.amazon.awssdk.services.dynamodb.DynamoDbClient dynamo;

    /** One DynamoDB client a container, whatever uses it. */
    private software.amazon.awssdk.services.dynamodb.DynamoDbClient dynamo() {
        if (dynamo == null) {
            dynamo = Dynamo.fromEnvironment(env);
        }
        return dynamo;
    }

    /** Everything the ingest path needs, with SDK clients built for Lambda. */
    Ingest ingest() {
        var dynamo = dynamo();
        DomainStore domains = new DomainStore(dynamo, get(DomainStore.TABLE_ENV, DomainStore.DEFAULT_TABLE));
        Clock clock = Clock.systemUTC();
        return new Ingest(new ReportReader(limits()), domains, reports(dynamo), metrics(), requireDkim(), clock);
    }

    private ReportStore reports;

    /** The reports table, one for whatever uses it in a container. */
    private ReportStore reports(software.amazon.awssdk.services.dynamodb.DynamoDbClient dynamo) {
        if (reports == null) {
            reports = new ReportStore(dynamo, get(ReportStore.TABLE_ENV, ReportStore.DEFAULT_TABLE),
                    Duration.ofDays(Long.parseLong(get(ReportStore.TTL_ENV, Integer.toString(ReportStore.DEFAULT_TTL_DAYS)))));
        }
        return reports;
    }

    /** EMF lines on standard output, which Lambda sends to the function's log group. */
    Metrics metrics() {
        return new Metrics(System.out::println, Clock.systemUTC());
    }

    /** Reports an hour per source address ({@code REPORTS_PER_SOURCE_HOUR}). */
    SourceAllowance allowance() {
        return new SourceAllowance(reports(dynamo()), Integer.parseInt(get(SourceAllowance.PER_HOUR_ENV,
                Integer.toString(SourceAllowance.DEFAULT_PER_HOUR))));
    }

    private Notices notices;

    /** The stream function's bookkeeping, on the reports table. */
    Notices notices() {
        if (notices == null) {
            notices = new Notices(reports(dynamo()));
        }
        return notices;
    }

    /** Alerts to the topic {@code ALERT_TOPIC_ARN} names, or none without one. */
    Alerts alerts() {
        String topic = get(ALERT_TOPIC_ENV, null);
        if (topic == null) {
            return Alerts.none();
        }
        SnsClient sns = SnsClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Dynamo.region(env))
                .credentialsProvider(Dynamo.lambdaCredentials(env))
                .build();
        return new Alerts((subject, body) -> sns.publish(r -> r.topicArn(topic).subject(subject).message(body)),
                notices(), Clock.systemUTC());
    }

    S3Client s3() {
        S3ClientBuilder b = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Dynamo.region(env))
                .credentialsProvider(Dynamo.lambdaCredentials(env));
        if (Dynamo.configuredEndpoint("S3", "S3") != null) {
            b.forcePathStyle(true); // an emulator (sam local with serve's sam-local-env.json) has no bucket host names
        }
        return b.build();
    }
}
