package dev.mtasts.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.report.Limits;
import dev.mtasts.emulators.MotoServer;
import dev.mtasts.store.Dynamo;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Files and SES-stored e-mails under incoming/ of the bucket, on moto_server's S3 and DynamoDB Local. */
class S3ReportHandlerTest {
    static final String BUCKET = "mta-sts-reports-test";
    static Stack stack;
    static MotoServer moto;
    static S3Client s3;
    static S3ReportHandler handler;

    @BeforeAll
    static void start() {
        stack = new Stack();
        moto = MotoServer.start();
        s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .credentialsProvider(Dynamo.localCredentials()).endpointOverride(moto.endpoint()).forcePathStyle(true)
                .build();
        s3.createBucket(r -> r.bucket(BUCKET));
        handler = new S3ReportHandler(stack.ingest(Limits.DEFAULT, true), s3, BUCKET,
                new Metrics(stack.metrics::add, Stack.CLOCK), Stack.CLOCK);
    }

    @AfterAll
    static void stop() {
        s3.close();
        moto.close();
        stack.close();
    }

    /** Puts an object and hands the handler the event S3 would send (keys URL-encoded as S3 does). */
    static String drop(String key, byte[] body) {
        s3.putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromBytes(body));
        return handler.handleRequest(event(key), null);
    }

    static Map<String, Object> event(String key) {
        return event(BUCKET, key);
    }

    /** S3's "Object Created" for a new object, as EventBridge hands it to the function (infra/events has one). */
    static Map<String, Object> event(String bucket, String key) {
        return Map.of("version", "0", "detail-type", "Object Created", "source", "aws.s3", "account", "123456789012",
                "time", "2026-11-23T10:00:00Z", "region", "us-east-1", "resources", List.of("arn:aws:s3:::" + bucket),
                "detail", Map.of("version", "0", "bucket", Map.of("name", bucket),
                        "object", Map.of("key", key, "size", 1, "etag", "e"), "reason", "PutObject"));
    }

    /** The hourly schedule's event: a sweep of incoming/. */
    static Map<String, Object> schedule() {
        return Map.of("version", "0", "detail-type", "Scheduled Event", "source", "aws.events",
                "time", "2026-11-23T10:00:00Z", "region", "us-east-1", "detail", Map.of());
    }

    static List<String> keys(String prefix) {
        return s3.listObjectsV2(r -> r.bucket(BUCKET).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }

    /** A report e-mail as SES stores it after checking the sender's DKIM. */
    static String emailOf(String reportJson) {
        return email("amazonses.com; spf=pass smtp.mailfrom=google.com; dkim=pass header.i=@google.com;", reportJson);
    }

    static String email(String authResults, String reportJson) {
        String part = Base64.getMimeEncoder().encodeToString(Stack.gzip(reportJson.getBytes(StandardCharsets.UTF_8)));
        return "Authentication-Results: " + authResults + "\r\n"
                + "From: TLS Reporting <noreply-smtp-tls-reporting@google.com>\r\n"
                + "To: tlsrpt@example.com\r\nSubject: Report Domain: example.com Submitter: google.com\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/report; report-type=\"tlsrpt\"; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain\r\n\r\nThis is an aggregate TLS report from google.com\r\n"
                + "--b1\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=\"google.com!example.com!1795392000!1795478399!001.json.gz\"\r\n\r\n"
                + part + "\r\n--b1--\r\n";
    }

    @Test
    void aReportFileIsStoredAndMovedToProcessed() {
        String key = "incoming/google.com!example.com!1795392000!1795478399.json.gz";
        byte[] body = Stack.gzip(Stack.report("s3-1", "example.com", 70, 0).getBytes(StandardCharsets.UTF_8));
        assertEquals("stored 1, duplicates 0, rejected 0", drop(key, body));
        assertEquals(List.of(), keys(key));
        assertEquals(List.of("processed/google.com!example.com!1795392000!1795478399.json.gz"),
                keys("processed/google.com!example.com"));
        // S3 may deliver an event twice: the second finds nothing to do
        assertEquals("stored 0, duplicates 0, rejected 0", handler.handleRequest(event(key), null));
        // the same report dropped again under another name is counted once
        assertEquals("stored 0, duplicates 1, rejected 0", drop("incoming/copy-of-s3-1.json.gz", body));
    }

    @Test
    void anEmailWithSesDkimPassIsStored() {
        String mail = email("amazonses.com; spf=pass smtp.mailfrom=google.com; dkim=pass header.i=@google.com; "
                + "dmarc=pass header.from=google.com;", Stack.report("s3-mail-1", "example.com", 12, 1));
        assertEquals("stored 1, duplicates 0, rejected 0", drop("incoming/0a1b2c3d4e5f", mail.getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("processed/0a1b2c3d4e5f"), keys("processed/0a1b2c3d4e5f"));
    }

    @Test
    void anEmailWithoutAValidSenderSignatureIsRejectedWithTheReason() {
        String mail = email("amazonses.com; spf=pass smtp.mailfrom=google.com; dkim=fail header.i=@google.com;",
                Stack.report("s3-mail-2", "example.com", 12, 1));
        assertEquals("stored 0, duplicates 0, rejected 1", drop("incoming/forged", mail.getBytes(StandardCharsets.UTF_8)));
        Map<String, String> metadata = s3.headObject(r -> r.bucket(BUCKET).key("rejected/forged")).metadata();
        assertEquals("no valid DKIM signature of google.com (RFC 8460 section 3)", metadata.get("reason"));
    }

    @Test
    void unparseableInputIsKeptUnderRejectedNeverDropped() {
        assertEquals("stored 0, duplicates 0, rejected 1",
                drop("incoming/broken.json", "{\"policies\": 3}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("policies: expected an array, got a number",
                s3.headObject(r -> r.bucket(BUCKET).key("rejected/broken.json")).metadata().get("reason"));
        assertTrue(keys("incoming/broken").isEmpty());
    }

    @Test
    void aReportNamingNoDomainIsAttributedFromItsFileName() {
        byte[] body = Stack.report("s3-attr-1", null, 5, 0).getBytes(StandardCharsets.UTF_8);
        assertEquals("stored 1, duplicates 0, rejected 0",
                drop("incoming/sender.example!example.org!1795392000!1795478399.json", body));
        assertTrue(stack.days("example.org", "2026-01-01").stream().anyMatch(d -> d.reporters().contains("Google Inc.")));
    }

    /** mime4j would overflow the stack on it: refused before, kept under rejected/ with the reason. */
    @Test
    void anEmailNested100000LevelsDeepIsRejectedWithTheReason() {
        assertEquals("stored 0, duplicates 0, rejected 1", drop("incoming/deep", HostileInputTest.nested(100_000)));
        assertEquals("the e-mail nests parts more than 16 levels deep; a report e-mail needs two or three",
                s3.headObject(r -> r.bucket(BUCKET).key("rejected/deep")).metadata().get("reason"));
    }

    /** Nothing escapes the handler, not even an Error: the object is kept under rejected/ with what happened. */
    @Test
    void anErrorInsideIsKeptUnderRejectedNotACrash() {
        S3ReportHandler failing = new S3ReportHandler(stack.ingest(
                new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution context,
                            software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
                        throw new StackOverflowError();
                    }
                }), s3, BUCKET, new Metrics(stack.metrics::add, Stack.CLOCK), Stack.CLOCK);
        String key = "incoming/crash.json";
        s3.putObject(r -> r.bucket(BUCKET).key(key),
                RequestBody.fromBytes(Stack.report("crash-1", "example.com", 1, 0).getBytes(StandardCharsets.UTF_8)));
        dev.mtasts.emulators.LambdaContext context = new dev.mtasts.emulators.LambdaContext();
        assertEquals("stored 0, duplicates 0, rejected 1", failing.handleRequest(event(key), context));
        assertEquals(List.of("incoming/crash.json: not processed: an internal error (StackOverflowError); the object "
                + "can be ingested again with mta-sts report ingest: java.lang.StackOverflowError"),
                context.lines(com.amazonaws.services.lambda.runtime.logging.LogLevel.ERROR));
        assertEquals("not processed: an internal error (StackOverflowError); the object can be ingested again with "
                + "mta-sts report ingest", s3.headObject(r -> r.bucket(BUCKET).key("rejected/crash.json")).metadata()
                .get("reason"));
    }

    /** A summary DynamoDB refuses is no outage to retry: rejected/ with the reason, the object kept whole. */
    @Test
    void anItemDynamoDbRefusesIsRejectedNotRetried() {
        stack.client.putItem(r -> r.tableName(stack.reports.table()).item(dev.mtasts.store.Items.toItem(Map.of(
                "pk", "domain#example.org", "sk", "day#2026-11-16", "successful", "not a number"))));
        byte[] body = Stack.on("2026-11-16", Stack.report("s3-refused-1", "example.org", 5, 0))
                .getBytes(StandardCharsets.UTF_8);
        assertEquals("stored 0, duplicates 0, rejected 1", drop("incoming/refused.json", body));
        assertEquals("cannot be stored in the summary of example.org on 2026-11-16: an attribute there holds another "
                + "type of value", s3.headObject(r -> r.bucket(BUCKET).key("rejected/refused.json")).metadata().get("reason"));
    }

    @Test
    void keysOutsideIncomingAreIgnored() {
        assertEquals("stored 0, duplicates 0, rejected 0", handler.handleRequest(event("processed/x.json"), null));
    }
}
