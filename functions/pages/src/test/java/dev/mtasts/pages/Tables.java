package dev.mtasts.pages;

import dev.mtasts.core.report.Limits;
import dev.mtasts.core.report.ReportReader;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.ReportStore;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** A domains and a reports table of their own on DynamoDB Local, for one test. */
public record Tables(DomainStore domains, ReportStore reports) {
    private static LocalDynamoDb dynamo;
    private static DynamoDbClient client;

    public static synchronized Tables fresh() {
        if (dynamo == null) {
            dynamo = LocalDynamoDb.start();
            client = Dynamo.create(dynamo.endpoint(), null);
            Runtime.getRuntime().addShutdownHook(new Thread(dynamo::close));
        }
        String suffix = Long.toString(System.nanoTime());
        Tables t = new Tables(new DomainStore(client, "domains-" + suffix),
                new ReportStore(client, "reports-" + suffix, Duration.ofDays(400)));
        t.domains().createTable();
        t.reports().createTable();
        return t;
    }

    /** Stores a report file as {@code report ingest} reads it (file names attribute reports that name no domain). */
    void store(String fileName, byte[] bytes) throws Exception {
        var received = new ReportReader(Limits.DEFAULT).read(new ByteArrayInputStream(bytes), fileName);
        reports.store(received.report(), "test/" + fileName, Instant.parse("2026-12-01T00:00:00Z"), null);
    }

    /** A report file of the parser's tests ({@code functions/core/src/test/resources/reports}). */
    static byte[] fixture(String name) {
        try {
            return java.nio.file.Files.readAllBytes(java.nio.file.Path.of("..", "core", "src", "test", "resources",
                    "reports", name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The DynamoDB Local endpoint, for the command's --endpoint-url. */
    static String endpoint() {
        return dynamo.endpoint().toString();
    }

    public ReportPages pages(Instant now) {
        return new ReportPages(domains, reports, Clock.fixed(now, ZoneOffset.UTC), "DynamoDB Local");
    }
}
