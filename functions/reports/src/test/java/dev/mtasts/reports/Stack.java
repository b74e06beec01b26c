package dev.mtasts.reports;

import dev.mtasts.core.report.Limits;
import dev.mtasts.core.report.ReportReader;
import dev.mtasts.local.LocalDynamoDb;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.ReportStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The ingest path on DynamoDB Local with example.com and example.org served; metrics and alerts captured. */
final class Stack implements AutoCloseable {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

    final LocalDynamoDb dynamo = LocalDynamoDb.start();
    final DynamoDbClient client = Dynamo.create(dynamo.endpoint(), null);
    final DomainStore domains = new DomainStore(client, DomainStore.DEFAULT_TABLE);
    final ReportStore reports = new ReportStore(client, ReportStore.DEFAULT_TABLE, Duration.ofDays(400));
    final List<String> metrics = Collections.synchronizedList(new ArrayList<>());
    final List<String> alerts = Collections.synchronizedList(new ArrayList<>());

    Stack() {
        domains.createTable();
        reports.createTable();
        for (String d : List.of("example.com", "example.org")) {
            domains.putItem(Map.of("domain", d, "mode", "testing", "mx", List.of("mail." + d), "max_age",
                    new BigDecimal(86400)));
        }
    }

    Ingest ingest(Limits limits, boolean requireDkim) {
        return new Ingest(new ReportReader(limits), domains, reports, new Metrics(metrics::add, CLOCK),
                new Alerts((subject, body) -> alerts.add(subject + "\n" + body)), requireDkim, CLOCK);
    }

    /** A small report in the shape Google sends. */
    static String report(String reportId, String domain, long ok, long failed) {
        String policyDomain = domain == null ? "" : "\"policy-domain\":\"" + domain + "\",";
        String failures = failed == 0 ? "" : ",\"failure-details\":[{\"result-type\":\"certificate-expired\","
                + "\"sending-mta-ip\":\"203.0.113.7\",\"receiving-mx-hostname\":\"mail.example.com\","
                + "\"receiving-ip\":\"198.51.100.25\",\"failed-session-count\":" + failed + "}]";
        return "{\"organization-name\":\"Google Inc.\",\"date-range\":{\"start-datetime\":\"2026-11-22T00:00:00Z\","
                + "\"end-datetime\":\"2026-11-22T23:59:59Z\"},\"contact-info\":\"smtp-tls-reporting@google.com\","
                + "\"report-id\":\"" + reportId + "\",\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
                + policyDomain + "\"mx-host\":[\"mail.example.com\"]},\"summary\":{\"total-successful-session-count\":"
                + ok + ",\"total-failure-session-count\":" + failed + "}" + failures + "}]}";
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** 200 MB of zeros, gzip'd to about 200 KB, streamed so the test never holds the 200 MB. */
    static byte[] bomb() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            byte[] zeros = new byte[1 << 20];
            gz.write("{\"organization-name\":\"".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 200; i++) {
                gz.write(zeros);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        client.close();
        dynamo.close();
    }
}
