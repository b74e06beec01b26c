package dev.mtasts.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.mtasts.core.report.Limits;
import dev.mtasts.emulators.MotoServer;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.ReportStore;
import dev.mtasts.store.SourceAllowance;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The promises of the report routes, attacked as a sender without credentials would, on DynamoDB Local and
 * moto_server's S3: no sender can make another's report disappear, a report is counted once and kept once by any
 * route, no date stretches the reports out of reach, no source takes the route's whole budget, and nothing left in
 * incoming/ is forgotten.
 */
class ReportIdentityRoutesTest {
    static final String BUCKET = "mta-sts-reports-identity";
    static final String GOOGLE_ID = "2026-11-22T00:00:00Z_example.com";
    static Stack stack;
    static MotoServer moto;
    static S3Client s3;
    static HttpReportHandler https;
    static S3ReportHandler mail;

    @BeforeAll
    static void start() {
        stack = new Stack();
        moto = MotoServer.start();
        s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .credentialsProvider(Dynamo.localCredentials()).endpointOverride(moto.endpoint()).forcePathStyle(true)
                .build();
        s3.createBucket(r -> r.bucket(BUCKET));
        Ingest ingest = stack.ingest(Limits.DEFAULT, false);
        https = new HttpReportHandler(ingest, new S3RawStore(s3, BUCKET), stack.allowance(),
                Limits.DEFAULT.maxCompressedBytes(), Stack.CLOCK);
        mail = new S3ReportHandler(ingest, s3, BUCKET, new Metrics(stack.metrics::add, Stack.CLOCK), Stack.CLOCK);
    }

    @AfterAll
    static void stop() {
        s3.close();
        moto.close();
        stack.close();
    }

    static APIGatewayV2HTTPEvent post(String source, String contentType, byte[] body) {
        Map<String, String> headers = new HashMap<>();
        headers.put("host", "mta-sts.example.com");
        headers.put("content-type", contentType);
        return APIGatewayV2HTTPEvent.builder().withRawPath(HttpReportHandler.PATH).withHeaders(headers)
                .withBody(Base64.getEncoder().encodeToString(body)).withIsBase64Encoded(true)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST")
                                .withSourceIp(source).build()).build())
                .build();
    }

    static APIGatewayV2HTTPResponse post(HttpReportHandler handler, String body) {
        return handler.handleRequest(post("192.0.2.1", "application/tlsrpt+json", utf8(body)), null);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, Object> event(String key) {
        return S3ReportHandlerTest.event(BUCKET, key);
    }

    static String drop(String key, byte[] body) {
        s3.putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromBytes(body));
        return mail.handleRequest(event(key), null);
    }

    static List<String> keys(String prefix) {
        return s3.listObjectsV2(r -> r.bucket(BUCKET).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }

    static ReportStore.Day day(String domain, String date) {
        return stack.days(domain, date).stream().filter(d -> d.date().toString().equals(date)).findFirst().orElseThrow();
    }

    /** A report of the sender whose name a forger takes: Google's shape and predictable id, dated {@code date}. */
    static String google(String date, String domain, long ok, long failed) {
        return Stack.on(date, Stack.report(date + "T00:00:00Z_" + domain, domain, ok, failed));
    }

    /**
     * A 1-session report POSTed first under Google's name and the id Google's report will have is a report of its
     * own: Google's, by HTTPS, is stored and counted, not "Already received".
     */
    @Test
    void aForgedReportUnderARealIdCannotSuppressTheRealOneByHttps() {
        String forged = google("2026-11-10", "example.com", 1, 0);
        String real = google("2026-11-10", "example.com", 1200, 3);
        assertEquals(201, post(https, forged).getStatusCode());
        APIGatewayV2HTTPResponse r = post(https, real);
        assertEquals(201, r.getStatusCode(), r.getBody());
        assertEquals("Stored.\n", r.getBody());
        ReportStore.Day d = day("example.com", "2026-11-10");
        assertEquals(1201, d.successful());
        assertEquals(3, d.failed());
        // and the real one sent again is a duplicate, counted once
        assertEquals(200, post(https, real).getStatusCode());
        assertEquals(1201, day("example.com", "2026-11-10").successful());
    }

    /** The same by e-mail: a forged POST first, then Google's report mailed (SES stores it under incoming/). */
    @Test
    void aForgedReportUnderARealIdCannotSuppressTheRealOneByEmail() {
        assertEquals(201, post(https, google("2026-11-11", "example.com", 1, 0)).getStatusCode());
        assertEquals("stored 1, duplicates 0, rejected 0",
                drop("incoming/google-2026-11-11", utf8(S3ReportHandlerTest.emailOf(google("2026-11-11", "example.com", 1200, 3)))));
        assertEquals(1201, day("example.com", "2026-11-11").successful());
        // a forged file dropped in the bucket under the same id is no different
        assertEquals("stored 1, duplicates 0, rejected 0",
                drop("incoming/forged-2026-11-11.json", utf8(google("2026-11-11", "example.com", 2, 0))));
        assertEquals(1203, day("example.com", "2026-11-11").successful());
    }

    /**
     * The same report re-sent 5 times with different white space is the same report: counted once, kept once (the
     * first bytes stay); gzip'd, it is still the same report.
     */
    @Test
    void paddedResendsAreOneReportKeptOnce() {
        String report = google("2026-11-12", "example.com", 70, 1);
        assertEquals(201, post(https, report).getStatusCode());
        for (int i = 1; i < 5; i++) {
            String padded = " ".repeat(i * 1000) + report.replace(",", ",\n" + "\t".repeat(i)) + "\n".repeat(i);
            APIGatewayV2HTTPResponse r = post(https, padded);
            assertEquals(200, r.getStatusCode(), r.getBody());
        }
        assertEquals(200, https.handleRequest(post("192.0.2.1", "application/tlsrpt+gzip",
                Stack.gzip(utf8(report))), null).getStatusCode());
        assertEquals(List.of("https/2026/11/12/" + Stack.identity(utf8(report)) + ".json"), keys("https/2026/11/12/"));
        assertEquals(report, s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(keys("https/2026/11/12/").get(0))).asUtf8String(),
                "the first delivery's bytes");
        assertEquals(70, day("example.com", "2026-11-12").successful());
    }

    /** One real report by HTTPS and by e-mail (two rua), in either order: counted once, its bytes kept once. */
    @Test
    void theSameReportByHttpsAndByEmailIsOneReport() {
        String first = google("2026-11-13", "example.com", 50, 0);
        assertEquals(201, post(https, first).getStatusCode());
        assertEquals("stored 0, duplicates 1, rejected 0",
                drop("incoming/13-mail", utf8(S3ReportHandlerTest.emailOf(first))));
        assertEquals(List.of(), keys("incoming/13-mail"));
        assertEquals(List.of(), keys("processed/13-mail"), "not kept twice");

        String second = google("2026-11-14", "example.com", 60, 0);
        assertEquals("stored 1, duplicates 0, rejected 0", drop("incoming/14-mail", utf8(S3ReportHandlerTest.emailOf(second))));
        assertEquals(200, post(https, second).getStatusCode());
        assertEquals(List.of(), keys("https/2026/11/14/"), "not kept twice");
        assertEquals(List.of("processed/14-mail"), keys("processed/14-mail"));
        assertEquals(50, day("example.com", "2026-11-13").successful());
        assertEquals(60, day("example.com", "2026-11-14").successful());
    }

    /** Lambda's retry of an object whose report was stored before the move completes it, not deletes it. */
    @Test
    void aRetryAfterTheStoreButBeforeTheMoveKeepsTheObject() throws Exception {
        String key = "incoming/retried";
        byte[] body = utf8(google("2026-11-15", "example.com", 5, 0));
        s3.putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromBytes(body));
        Ingest ingest = stack.ingest(Limits.DEFAULT, false);
        ingest.record(ingest.accept(new java.io.ByteArrayInputStream(body), key, null), "processed/retried", null);
        assertEquals("stored 0, duplicates 1, rejected 0", mail.handleRequest(event(key), null));
        assertEquals(List.of("processed/retried"), keys("processed/retried"));
        assertEquals(List.of(), keys(key));
    }

    /** The same report from 50 threads at once: one is stored, 49 hear it was; one raw object. */
    @Test
    void theSameReportFromFiftyThreadsIsCountedAndKeptOnce() throws Exception {
        String report = google("2026-11-16", "example.com", 10, 0);
        List<Integer> statuses = concurrently(50, i -> post(https, i % 2 == 0 ? report : " " + report + " ".repeat(i))
                .getStatusCode());
        assertEquals(1, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        assertEquals(49, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
        assertEquals(10, day("example.com", "2026-11-16").successful());
        assertEquals(1, keys("https/2026/11/16/").size(), keys("https/2026/11/16/").toString());
    }

    /** 50 different reports under one report-id, at once: each is a report of its own. */
    @Test
    void fiftyReportsUnderOneIdAreEachCounted() throws Exception {
        List<Integer> statuses = concurrently(50, i -> post(https, google("2026-11-17", "example.com", i + 1, 0))
                .getStatusCode());
        assertEquals(50, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        assertEquals(50 * 51 / 2, day("example.com", "2026-11-17").successful());
    }

    /**
     * A date range no sender can write (one POST dated 9999-12-30 would stretch every page to that day) is refused
     * naming the field, and kept under https/rejected/ with the reason; nothing of it is counted.
     */
    @Test
    void aDateNoSenderCanWriteIsRefusedNamingTheField() {
        String future = Stack.report("9999-12-30T00:00:00Z_example.com", "example.com", 1, 0)
                .replace("2026-11-22T00:00:00Z", "9999-12-30T00:00:00Z").replace("2026-11-22T23:59:59Z", "9999-12-30T23:59:59Z");
        APIGatewayV2HTTPResponse r = post(https, future);
        assertEquals(400, r.getStatusCode());
        assertEquals("Bad report: date-range.start-datetime: 9999-12-30T00:00:00Z is in the future\n", r.getBody());
        List<String> kept = keys("https/rejected/2026/11/23/");
        assertTrue(kept.stream().anyMatch(k -> s3.headObject(h -> h.bucket(BUCKET).key(k)).metadata().get("reason")
                .equals("date-range.start-datetime: 9999-12-30T00:00:00Z is in the future")), kept.toString());
        assertEquals(List.of(), stack.reports.days("example.com", java.time.LocalDate.parse("9999-12-01"),
                java.time.LocalDate.parse("9999-12-31")));
        for (String[] c : List.of(
                new String[] {"0001-01-01T00:00:00Z", "0001-01-01T23:59:59Z", "date-range.start-datetime: 0001-01-01T00:00:00Z is before 2018, when SMTP TLS reporting began"},
                new String[] {"2026-11-22T00:00:00Z", "2026-11-21T00:00:00Z", "date-range.end-datetime: 2026-11-21T00:00:00Z is before the start-datetime 2026-11-22T00:00:00Z"},
                new String[] {"2026-01-01T00:00:00Z", "2026-11-22T23:59:59Z", "date-range: 2026-01-01T00:00:00Z to 2026-11-22T23:59:59Z spans 325 days; a report covers at most 31"})) {
            String body = Stack.report("dates-" + c[0], "example.com", 1, 0).replace("2026-11-22T00:00:00Z", c[0])
                    .replace("2026-11-22T23:59:59Z", c[1]);
            assertEquals("Bad report: " + c[2] + "\n", post(https, body).getBody());
        }
        // by e-mail or file the same: rejected/ with the reason
        assertEquals("stored 0, duplicates 0, rejected 1", drop("incoming/future.json", utf8(future)));
        assertEquals("date-range.start-datetime: 9999-12-30T00:00:00Z is in the future",
                s3.headObject(h -> h.bucket(BUCKET).key("rejected/future.json")).metadata().get("reason"));
    }

    /**
     * Each source address has its hour's allowance, counted before the body is read: a flooding source hears 429
     * with when to come back, other senders are served.
     */
    @Test
    void aFloodingSourceCannotTakeTheRoutesBudget() {
        HttpReportHandler limited = new HttpReportHandler(stack.ingest(Limits.DEFAULT, false), new S3RawStore(s3, BUCKET),
                new SourceAllowance(stack.reports, 5), Limits.DEFAULT.maxCompressedBytes(),
                Clock.fixed(Instant.parse("2026-11-23T10:15:00Z"), ZoneOffset.UTC));
        int rejectedBefore = (int) stack.metrics.stream().filter(m -> m.contains("ReportsRejected")).count();
        for (int i = 0; i < 5; i++) {
            // the allowance counts requests, whatever they hold
            assertEquals(400, limited.handleRequest(post("198.51.100.66", "application/tlsrpt+json", utf8("{}")), null)
                    .getStatusCode());
        }
        for (int i = 0; i < 20; i++) {
            APIGatewayV2HTTPResponse r = limited.handleRequest(post("198.51.100.66", "application/tlsrpt+json",
                    new byte[3_000_000]), null);
            assertEquals(429, r.getStatusCode());
            assertEquals("Too many reports from your address this hour (at most 5); try again later.\n", r.getBody());
            assertEquals("2700", r.getHeaders().get("Retry-After"));
        }
        assertEquals(rejectedBefore + 5, stack.metrics.stream().filter(m -> m.contains("ReportsRejected")).count(),
                "the refused requests were not read");
        APIGatewayV2HTTPResponse real = limited.handleRequest(post("203.0.113.25", "application/tlsrpt+json",
                utf8(google("2026-11-18", "example.com", 8, 0))), null);
        assertEquals(201, real.getStatusCode(), real.getBody());
    }

    /** Refused bodies are kept to look at, a source's first ten an hour: a flood of bad bodies is not kept for a month. */
    @Test
    void aFloodOfBadBodiesKeepsTenOfThem() {
        int before = keys("https/rejected/").size();
        for (int i = 0; i < 25; i++) {
            APIGatewayV2HTTPResponse r = https.handleRequest(post("198.51.100.77", "application/tlsrpt+json",
                    utf8("{\"policies\":" + i + "}")), null);
            assertEquals(400, r.getStatusCode());
        }
        assertEquals(before + SourceAllowance.REFUSED_KEPT_PER_HOUR, keys("https/rejected/").size());
    }

    /**
     * A mailed report whose function failed every retry is not left to expire in incoming/: the hourly sweep takes
     * up what is left there (older than 15 minutes, so the object's own event is done with it), and counts what
     * has waited more than a day.
     */
    @Test
    void theHourlySweepTakesUpWhatIsLeftInIncoming() {
        String sweepBucket = "mta-sts-reports-sweep";
        s3.createBucket(r -> r.bucket(sweepBucket));
        byte[] left = utf8(google("2026-11-19", "example.com", 33, 0));
        s3.putObject(r -> r.bucket(sweepBucket).key("incoming/left-behind"), RequestBody.fromBytes(left));
        s3.putObject(r -> r.bucket(sweepBucket).key("incoming/broken"), RequestBody.fromBytes(utf8("{\"policies\":3}")));
        List<String> lines = new ArrayList<>();
        // a clock 20 minutes after the objects arrived: they are due; a clock at their arrival: they are left alone
        Instant arrived = s3.headObject(r -> r.bucket(sweepBucket).key("incoming/left-behind")).lastModified();
        S3ReportHandler early = new S3ReportHandler(stack.ingest(Limits.DEFAULT, false), s3, sweepBucket,
                new Metrics(lines::add, Stack.CLOCK), Clock.fixed(arrived.plusSeconds(60), ZoneOffset.UTC));
        assertEquals("swept incoming/: stored 0, duplicates 0, rejected 0, waiting more than a day 0",
                early.handleRequest(S3ReportHandlerTest.schedule(), null));
        S3ReportHandler later = new S3ReportHandler(stack.ingest(Limits.DEFAULT, false), s3, sweepBucket,
                new Metrics(lines::add, Stack.CLOCK), Clock.fixed(arrived.plus(Duration.ofMinutes(20)), ZoneOffset.UTC));
        assertEquals("swept incoming/: stored 1, duplicates 0, rejected 1, waiting more than a day 0",
                later.handleRequest(S3ReportHandlerTest.schedule(), null));
        assertEquals(List.of(), s3.listObjectsV2(r -> r.bucket(sweepBucket).prefix("incoming/")).contents());
        assertEquals(33, day("example.com", "2026-11-19").successful());
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"ReportsWaiting\":0")), lines.toString());
    }

    interface Request {
        int send(int i) throws Exception;
    }

    static List<Integer> concurrently(int n, Request request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                tasks.add(() -> request.send(k));
            }
            List<Integer> out = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(tasks)) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }
}
