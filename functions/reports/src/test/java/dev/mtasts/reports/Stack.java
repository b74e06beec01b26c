package dev.mtasts.reports;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.mtasts.core.report.Limits;
import dev.mtasts.core.report.ReportReader;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.Notices;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The ingest path on DynamoDB Local with example.com and example.org served; metrics and alerts captured. The
 * reports table's stream is read as Lambda reads it and handed to the stream function on {@link #notices()}.
 */
final class Stack implements AutoCloseable {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

    final LocalDynamoDb dynamo = LocalDynamoDb.start();
    final DynamoDbClient client = Dynamo.create(dynamo.endpoint(), null);
    final DomainStore domains = new DomainStore(client, DomainStore.DEFAULT_TABLE);
    final ReportStore reports = new ReportStore(client, ReportStore.DEFAULT_TABLE, Duration.ofDays(400));
    final List<String> metrics = Collections.synchronizedList(new ArrayList<>());
    final List<String> alerts = Collections.synchronizedList(new ArrayList<>());
    private final DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder()
            .httpClient(UrlConnectionHttpClient.create()).region(Dynamo.LOCAL_REGION)
            .credentialsProvider(Dynamo.localCredentials()).endpointOverride(dynamo.endpoint()).build();
    private final Map<String, String> iterators = new HashMap<>();
    private final List<DynamodbEvent.DynamodbStreamRecord> unread = new ArrayList<>();

    Stack() {
        domains.createTable();
        reports.createTable();
        for (String d : List.of("example.com", "example.org")) {
            domains.putItem(Map.of("domain", d, "mode", "testing", "mx", List.of("mail." + d), "max_age",
                    new BigDecimal(86400)));
        }
    }

    /** A domain's days from {@code from} on. */
    List<ReportStore.Day> days(String domain, String from) {
        return reports.days(domain, java.time.LocalDate.parse(from), java.time.LocalDate.parse("2027-12-31"));
    }

    /** An allowance no test's own requests reach, unless it means to. */
    dev.mtasts.store.SourceAllowance allowance() {
        return new dev.mtasts.store.SourceAllowance(reports, 100_000);
    }

    /** The identity of a report body, as it is stored under. */
    static String identity(byte[] body) {
        try {
            return new ReportReader(Limits.DEFAULT).read(new java.io.ByteArrayInputStream(body), null).report().identity();
        } catch (dev.mtasts.core.report.ReportException e) {
            throw new IllegalArgumentException(e);
        }
    }

    Ingest ingest(Limits limits, boolean requireDkim) {
        return new Ingest(new ReportReader(limits), domains, reports, new Metrics(metrics::add, CLOCK), requireDkim, CLOCK);
    }

    /** The same path on a client of this DynamoDB Local whose calls pass through {@code interceptor}. */
    Ingest ingest(software.amazon.awssdk.core.interceptor.ExecutionInterceptor interceptor) {
        DynamoDbClient c = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                .region(Dynamo.LOCAL_REGION).credentialsProvider(Dynamo.localCredentials())
                .endpointOverride(dynamo.endpoint())
                .overrideConfiguration(o -> o.addExecutionInterceptor(interceptor)).build();
        return new Ingest(new ReportReader(Limits.DEFAULT), new DomainStore(c, DomainStore.DEFAULT_TABLE),
                new ReportStore(c, ReportStore.DEFAULT_TABLE, Duration.ofDays(400)), new Metrics(metrics::add, CLOCK),
                true, CLOCK);
    }

    /** The stream function, publishing with {@code publish} (null: the captured list), at the given time. */
    ReportStreamHandler streamHandler(BiConsumer<String, String> publish, Clock clock) {
        Notices notices = new Notices(reports);
        return new ReportStreamHandler(notices, new Metrics(metrics::add, clock),
                new Alerts(publish != null ? publish : (subject, body) -> alerts.add(subject + "\n" + body), notices, clock),
                clock);
    }

    /** The stream records not yet handed over, as one batch, as Lambda hands them to the stream function. */
    synchronized DynamodbEvent pending() {
        unread.addAll(read());
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(new ArrayList<>(unread));
        unread.clear();
        return event;
    }

    /**
     * Hands the pending records to the stream function; as Lambda does, a batch with failures is handed over again
     * (from its first failed record on) with the next call.
     */
    synchronized StreamsEventResponse notices(ReportStreamHandler handler) {
        return notices(handler, null);
    }

    /** The same, with the context the function is given (a test reads what it logs). */
    synchronized StreamsEventResponse notices(ReportStreamHandler handler, com.amazonaws.services.lambda.runtime.Context context) {
        DynamodbEvent event = pending();
        StreamsEventResponse response = handler.handleRequest(event, context);
        if (!response.getBatchItemFailures().isEmpty()) {
            String first = response.getBatchItemFailures().get(0).getItemIdentifier();
            List<DynamodbEvent.DynamodbStreamRecord> batch = event.getRecords();
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i).getDynamodb().getSequenceNumber().equals(first)) {
                    unread.addAll(batch.subList(i, batch.size()));
                    break;
                }
            }
        }
        return response;
    }

    /** Sends the pending records' metrics and alerts, with alerts going to {@link #alerts}. */
    StreamsEventResponse notices() {
        return notices(streamHandler(null, CLOCK));
    }

    /** The same report dated another day. */
    static String on(String day, String report) {
        return report.replace("2026-11-22", day);
    }

    /** New records of the reports table's stream, converted to the model Lambda hands a function. */
    private List<DynamodbEvent.DynamodbStreamRecord> read() {
        String arn = client.describeTable(r -> r.tableName(reports.table())).table().latestStreamArn();
        streams.describeStream(r -> r.streamArn(arn)).streamDescription().shards().forEach(shard ->
                iterators.computeIfAbsent(shard.shardId(), id -> streams.getShardIterator(r -> r.streamArn(arn)
                        .shardId(id).shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator()));
        List<DynamodbEvent.DynamodbStreamRecord> out = new ArrayList<>();
        for (Map.Entry<String, String> shard : iterators.entrySet()) {
            String iterator = shard.getValue();
            while (iterator != null && !iterator.isEmpty()) {
                String from = iterator;
                var page = streams.getRecords(r -> r.shardIterator(from).limit(1000));
                page.records().forEach(r -> out.add(toLambda(r)));
                String next = page.nextShardIterator();
                shard.setValue(next == null ? "" : next); // "": a closed shard, read to its end
                iterator = page.records().isEmpty() ? null : next;
            }
        }
        return out;
    }

    private static DynamodbEvent.DynamodbStreamRecord toLambda(Record r) {
        DynamodbEvent.DynamodbStreamRecord out = new DynamodbEvent.DynamodbStreamRecord();
        out.setEventName(r.eventNameAsString());
        out.setEventSource("aws:dynamodb");
        StreamRecord change = new StreamRecord();
        change.setKeys(toLambda(r.dynamodb().keys()));
        change.setNewImage(r.dynamodb().hasNewImage() ? toLambda(r.dynamodb().newImage()) : null);
        change.setSequenceNumber(r.dynamodb().sequenceNumber());
        out.setDynamodb(change);
        return out;
    }

    private static Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> toLambda(
            Map<String, AttributeValue> image) {
        Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> out = new HashMap<>();
        image.forEach((k, v) -> out.put(k, toLambda(v)));
        return out;
    }

    private static com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue toLambda(AttributeValue v) {
        var out = new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue();
        switch (v.type()) {
            case S -> out.setS(v.s());
            case N -> out.setN(v.n());
            case BOOL -> out.setBOOL(v.bool());
            case NUL -> out.setNULL(true);
            case SS -> out.setSS(v.ss());
            case L -> out.setL(v.l().stream().map(Stack::toLambda).toList());
            case M -> out.setM(toLambda(v.m()));
            default -> throw new IllegalArgumentException("not in report items: " + v.type());
        }
        return out;
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

    /**
     * A report in the shape Microsoft sends: dates without a zone, a FILETIME report-id, no mx-host, and the same
     * sessions under a tlsa and an sts policy.
     */
    static String microsoft(String reportId, String domain, long tlsaOk, long tlsaFailed, long stsOk, long stsFailed) {
        String failures = tlsaFailed == 0 ? "" : ",\"failure-details\":[{\"result-type\":\"tlsa-invalid\","
                + "\"failed-session-count\":" + tlsaFailed + "}]";
        return "{\"organization-name\":\"Microsoft Corporation\",\"date-range\":{\"start-datetime\":"
                + "\"2026-11-22T00:00:00\",\"end-datetime\":\"2026-11-22T23:59:59\"},\"contact-info\":"
                + "\"tlsrpt-noreply@microsoft.com\",\"report-id\":\"" + reportId + "+" + domain + "\",\"policies\":["
                + "{\"policy\":{\"policy-type\":\"tlsa\",\"policy-string\":[\"[\\\"3 1 1 8F3B6E4C0D2A\\\"]\"],"
                + "\"policy-domain\":\"" + domain + "\"},\"summary\":{\"total-successful-session-count\":" + tlsaOk
                + ",\"total-failure-session-count\":" + tlsaFailed + "}" + failures + "},"
                + "{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\",\"mode: testing\","
                + "\"mx: mail." + domain + "\",\"max_age: 86400\"],\"policy-domain\":\"" + domain + "\"},"
                + "\"summary\":{\"total-successful-session-count\":" + stsOk + ",\"total-failure-session-count\":"
                + stsFailed + "}}]}";
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
        streams.close();
        client.close();
        dynamo.close();
    }
}
