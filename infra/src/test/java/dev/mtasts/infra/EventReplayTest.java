package dev.mtasts.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.mtasts.cli.DomainsFile;
import dev.mtasts.core.report.Limits;
import dev.mtasts.core.report.ReportReader;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.emulators.MotoServer;
import dev.mtasts.reports.Alerts;
import dev.mtasts.reports.HttpReportHandler;
import dev.mtasts.reports.ReportStreamHandler;
import dev.mtasts.store.Notices;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.mtasts.reports.Ingest;
import dev.mtasts.reports.Metrics;
import dev.mtasts.reports.S3RawStore;
import dev.mtasts.reports.S3ReportHandler;
import dev.mtasts.store.ReportStore;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import dev.mtasts.policy.PolicyHandler;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What {@code sam local invoke PolicyFunction -e infra/events/X.json} does with the local stack running: each event
 * file, read by the Lambda runtime's own serialiser, through the handler, against DynamoDB Local seeded from
 * {@code infra/local/domains.json} as {@code mta-sts serve} seeds it.
 */
class EventReplayTest {
    static final Path EVENTS = Path.of("events");
    static final String EXAMPLE_COM = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.mx.example.net\r\n"
            + "max_age: 604800\r\n";
    static final String EXAMPLE_ORG = "version: STSv1\r\nmode: testing\r\nmx: mx1.example.org\r\nmx: mx2.example.org\r\n"
            + "max_age: 86400\r\n";

    static final String BUCKET = "mta-sts-reports-local";

    private static LocalDynamoDb dynamo;
    private static MotoServer moto;
    private static DynamoDbClient client;
    private static S3Client s3;
    private static PolicyHandler handler;
    private static HttpReportHandler reportsApi;
    private static S3ReportHandler reportsS3;
    private static Ingest ingest;
    private static ReportStore reports;

    @BeforeAll
    static void start() throws IOException {
        dynamo = LocalDynamoDb.start();
        moto = MotoServer.start();
        client = Dynamo.create(dynamo.endpoint(), null);
        DomainStore store = new DomainStore(client, DomainStore.DEFAULT_TABLE)
                .withState(dev.mtasts.store.StateStore.DEFAULT_TABLE);
        store.createTable();
        store.state().createTable();
        DomainsFile.load(store, DomainsFile.read(Path.of("local", "domains.json")), false);
        // as mta-sts serve --local-only marks them: served by the local stack only
        store.views().forEach(domain -> store.state().markLocal(domain.key(),
                dev.mtasts.core.Lifecycle.local(java.time.Instant.now())));
        handler = new PolicyHandler(store);
        reports = new ReportStore(client, ReportStore.DEFAULT_TABLE, Duration.ofDays(400));
        reports.createTable();
        Clock clock = Clock.systemUTC();
        ingest = new Ingest(new ReportReader(Limits.DEFAULT), store, reports, new Metrics(line -> { }, clock),
                true, clock);
        s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .credentialsProvider(Dynamo.localCredentials()).endpointOverride(moto.endpoint()).forcePathStyle(true)
                .build();
        s3.createBucket(r -> r.bucket(BUCKET));
        reportsApi = new HttpReportHandler(ingest, new S3RawStore(s3, BUCKET),
                new dev.mtasts.store.SourceAllowance(reports, dev.mtasts.store.SourceAllowance.DEFAULT_PER_HOUR),
                Limits.DEFAULT.maxCompressedBytes(), clock);
        reportsS3 = new S3ReportHandler(ingest, s3, BUCKET, new Metrics(line -> { }, clock), clock);
    }

    @AfterAll
    static void stop() {
        s3.close();
        client.close();
        moto.close();
        dynamo.close();
    }

    static Stream<Arguments> policyEvents() {
        return Stream.of(
                Arguments.of("policy-get.json", 200, EXAMPLE_COM),
                Arguments.of("policy-head.json", 200, EXAMPLE_COM), // the gateway drops the body of a HEAD
                Arguments.of("policy-get-sam-local.json", 200, EXAMPLE_ORG),
                Arguments.of("policy-unknown-domain.json", 404,
                        "Not found: no MTA-STS policy is published for unknown.example.\n"),
                Arguments.of("policy-wrong-path.json", 404, "Not found: mta-sts.example.com serves only the MTA-STS "
                        + "policy of example.com at /.well-known/mta-sts.txt (RFC 8461).\n"),
                Arguments.of("policy-post.json", 405, "Method not allowed: use GET or HEAD.\n"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("policyEvents")
    void replay(String file, int status, String body) throws IOException {
        APIGatewayV2HTTPEvent event;
        try (InputStream in = Files.newInputStream(EVENTS.resolve(file))) {
            event = serializer(APIGatewayV2HTTPEvent.class).fromJson(in);
        }
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);
        assertEquals(status, response.getStatusCode());
        assertEquals(body, response.getBody());

        // the response must survive the runtime's serialisation back to API Gateway
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        serializer(APIGatewayV2HTTPResponse.class).toJson(response, out);
        String json = out.toString(StandardCharsets.UTF_8);
        assertTrue(json.contains("\"statusCode\":" + status), json);
    }

    static Stream<Arguments> reportEvents() {
        return Stream.of(
                Arguments.of("report-post-json.json", 201, "Stored.\n"),
                Arguments.of("report-post-gzip.json", 201, "Stored.\n"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("reportEvents")
    void replayReport(String file, int status, String body) throws IOException {
        APIGatewayV2HTTPEvent event;
        try (InputStream in = Files.newInputStream(EVENTS.resolve(file))) {
            event = serializer(APIGatewayV2HTTPEvent.class).fromJson(in);
        }
        APIGatewayV2HTTPResponse response = reportsApi.handleRequest(event, null);
        assertEquals(status, response.getStatusCode(), response.getBody());
        assertEquals(body, response.getBody());
        // delivered again, as senders do: counted once
        assertEquals(200, reportsApi.handleRequest(event, null).getStatusCode());
    }

    @Test
    void replayS3Put() throws IOException {
        Map<String, Object> event = mapEvent("report-s3-object-created.json");
        String key = (String) ((Map<?, ?>) ((Map<?, ?>) event.get("detail")).get("object")).get("key");
        String report = "{\"organization-name\":\"Sender\",\"report-id\":\"s3-event-1\",\"policies\":[{\"policy\":"
                + "{\"policy-type\":\"sts\"},\"summary\":{\"total-successful-session-count\":5,"
                + "\"total-failure-session-count\":0}}]}";
        s3.putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromBytes(gzip(report)));
        assertEquals("stored 1, duplicates 0, rejected 0", reportsS3.handleRequest(event, null));
        String processed = "processed/" + key.substring("incoming/".length());
        assertEquals(1, s3.listObjectsV2(r -> r.bucket(BUCKET).prefix(processed)).keyCount());
    }

    /** The hourly schedule's event of the S3 function: a sweep of incoming/. */
    @Test
    void replayS3Sweep() throws IOException {
        assertTrue(reportsS3.handleRequest(mapEvent("report-s3-sweep.json"), null).startsWith("swept incoming/: "));
    }

    /** An event as the Lambda runtime hands a handler whose input is a map: the JSON object as it is. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapEvent(String file) throws IOException {
        try (InputStream in = Files.newInputStream(EVENTS.resolve(file))) {
            return (Map<String, Object>) serializer(Map.class).fromJson(in);
        }
    }

    /**
     * The reports table's stream as a report item is created (the one report-post-json.json stores): its metrics go
     * out once, however often the record is handed over.
     */
    @Test
    void replayReportStream() throws IOException {
        DynamodbEvent event;
        try (InputStream in = Files.newInputStream(EVENTS.resolve("report-stream-insert.json"))) {
            event = serializer(DynamodbEvent.class).fromJson(in);
        }
        // the report whose item the record tells of, stored as the reports functions store it
        String report = "{\"organization-name\":\"Example Sender Inc.\",\"report-id\":\"2026-11-21T00:00:00Z_example.com\","
                + "\"date-range\":{\"start-datetime\":\"2026-11-21T00:00:00Z\"},\"policies\":[{\"policy\":{\"policy-type\":"
                + "\"sts\",\"policy-domain\":\"example.com\"},\"summary\":{\"total-successful-session-count\":1200,"
                + "\"total-failure-session-count\":3}}]}";
        try {
            ingest.record(ingest.accept(new java.io.ByteArrayInputStream(report.getBytes(StandardCharsets.UTF_8)), null,
                    null), "https/replay.json", null);
        } catch (Ingest.Rejected e) {
            throw new AssertionError(e.getMessage());
        }
        List<String> metrics = new java.util.ArrayList<>();
        ReportStreamHandler stream = new ReportStreamHandler(new Notices(reports), new Metrics(metrics::add,
                Clock.systemUTC()), Alerts.none(), Clock.systemUTC());
        assertEquals(List.of(), stream.handleRequest(event, null).getBatchItemFailures());
        assertEquals(List.of(), stream.handleRequest(event, null).getBatchItemFailures());
        assertEquals(1, metrics.stream().filter(m -> m.contains("\"SessionsFailed\":3")).count(), metrics.toString());
    }

    private static byte[] gzip(String s) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void everyEventFileIsReplayed() throws IOException {
        Set<String> covered = Stream.concat(Stream.concat(policyEvents(), reportEvents()),
                        Stream.of("report-s3-object-created.json", "report-s3-sweep.json", "report-stream-insert.json", "lifecycle-stream-insert.json", "lifecycle-stream-modify.json",
                                "lifecycle-stream-progress.json", "lifecycle-stream-remove.json",
                                "lifecycle-schedule.json", "check-schedule.json").map(Arguments::of))
                .map(a -> (String) a.get()[0]).collect(Collectors.toSet());
        try (Stream<Path> files = Files.list(EVENTS)) {
            Set<String> present = files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(covered), present, "each file in infra/events needs an expected answer here");
        }
    }

    private static <T> PojoSerializer<T> serializer(Class<T> type) {
        return LambdaEventSerializers.serializerFor(type, EventReplayTest.class.getClassLoader());
    }
}
