package dev.mtasts.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.mtasts.core.Sha256;
import dev.mtasts.core.report.Limits;
import dev.mtasts.store.Items;
import dev.mtasts.store.ReportStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * RFC 8460 §5.4: anyone can POST, so every body is hostile. Whatever it holds, it cannot stop another sender's report
 * from being stored and counted, crash the function, be counted twice, or get an answer that says more than one
 * line in our words.
 */
class HostileInputTest {
    static final String HOST = "mta-sts.example.com";
    @TempDir
    static Path data;
    static Stack stack;
    static HttpReportHandler handler;

    @BeforeAll
    static void start() {
        stack = new Stack();
        handler = new HttpReportHandler(stack.ingest(Limits.DEFAULT, true), new FolderRawStore(data),
                stack.allowance(), Limits.DEFAULT.maxCompressedBytes(), Stack.CLOCK);
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    static APIGatewayV2HTTPResponse post(HttpReportHandler h, String contentType, byte[] body) {
        return h.handleRequest(HttpReportHandlerTest.post(HOST, contentType, body, true), null);
    }

    static APIGatewayV2HTTPResponse post(String body) {
        return post(handler, "application/tlsrpt+json", body.getBytes(StandardCharsets.UTF_8));
    }

    /** What a forger can write: a new organisation and 20 new result types of 250 characters in every report. */
    static String forged(int n, String day) {
        StringBuilder failures = new StringBuilder();
        for (int t = 0; t < 20; t++) {
            failures.append(t == 0 ? "" : ",").append("{\"result-type\":\"forged-").append(n).append('-').append(t)
                    .append('-').append("x".repeat(230)).append("\",\"failed-session-count\":1}");
        }
        return "{\"organization-name\":\"Forger " + n + " " + "o".repeat(240) + "\",\"date-range\":{\"start-datetime\":\""
                + day + "T00:00:00Z\",\"end-datetime\":\"" + day + "T23:59:59Z\"},\"report-id\":\"forged-" + n
                + "\",\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.com\"},"
                + "\"summary\":{\"total-successful-session-count\":0,\"total-failure-session-count\":20},"
                + "\"failure-details\":[" + failures + "]}]}";
    }

    /**
     * 10,000 forged reports for one domain and day: a real Google and a real Microsoft report for that day are still
     * stored and counted, their result types by name, and the day's summary stays a few kilobytes.
     */
    @Test
    void forgedReportsCannotStopRealOnes() throws Exception {
        String day = "2026-11-20";
        int forgeries = 10_000;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        java.util.concurrent.atomic.AtomicInteger stored = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ConcurrentHashMap<String, Integer> others = new java.util.concurrent.ConcurrentHashMap<>();
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int n = 0; n < forgeries; n++) {
                int i = n;
                done.add(pool.submit(() -> {
                    APIGatewayV2HTTPResponse r = post(forged(i, day));
                    if (r.getStatusCode() == 201) {
                        stored.incrementAndGet();
                    } else {
                        others.merge(r.getStatusCode() + " " + r.getBody().strip(), 1, Integer::sum);
                    }
                }));
            }
            for (var f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(Map.of(), others, "every forged report is stored too");
        assertEquals(forgeries, stored.get());

        assertEquals(201, post(Stack.on(day, Stack.report("2026-11-20T00:00:00Z_example.com", "example.com", 1200, 3)))
                .getStatusCode());
        assertEquals(201, post(Stack.on(day, Stack.microsoft("133456789012345678", "example.com", 0, 7, 7, 0)))
                .getStatusCode());
        ReportStore.Day summary = stack.days("example.com", day).get(0);
        assertEquals(LocalDate.parse(day), summary.date());
        assertEquals(1200, summary.successful());
        assertEquals(forgeries * 20L + 3 + 7, summary.failed());
        assertEquals(3L, summary.failures().get("certificate-expired"));
        assertEquals(7L, summary.failures().get("tlsa-invalid"));
        assertEquals(forgeries * 20L - 20, summary.failures().get("other"));
        assertEquals(ReportStore.MAX_REPORTERS, summary.reporters().size());
        assertEquals(forgeries + 2 - ReportStore.MAX_REPORTERS, summary.otherReporters());

        long largest = Stream.of("example.com", "example.org").flatMap(d -> stack.client.query(q -> q
                        .tableName(stack.reports.table()).keyConditionExpression("pk = :pk").expressionAttributeValues(
                                Map.of(":pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("domain#" + d))))
                        .items().stream())
                .mapToLong(Items::size).max().orElseThrow();
        System.out.println("largest summary item after " + forgeries + " forged reports: " + largest + " bytes");
        assertTrue(largest < 40_000, largest + " bytes");
    }

    /** A count beyond any real one is refused naming the field; sums of counts that pass cannot overflow. */
    @Test
    void countsBeyondAnyRealOneAreRefusedNamingTheField() {
        String policy = "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.org\"},\"summary\":"
                + "{\"total-successful-session-count\":%s,\"total-failure-session-count\":0}}";
        String two = "{\"organization-name\":\"Big\",\"report-id\":\"%s\",\"date-range\":{\"start-datetime\":"
                + "\"2026-11-19T00:00:00Z\"},\"policies\":[" + policy + "," + policy + "]}";
        APIGatewayV2HTTPResponse r = post(String.format(two, "big-1", "9223372036854775807", "9223372036854775807"));
        assertEquals(400, r.getStatusCode());
        assertEquals("Bad report: policies[0].summary.total-successful-session-count: 9223372036854775807 sessions is "
                + "more than any report can count (at most 1,000,000,000,000)\n", r.getBody());
        assertEquals(201, post(String.format(two, "big-2", "1000000000000", "1000000000000")).getStatusCode());
        assertEquals(201, post(String.format(two, "big-3", "1000000000000", "1000000000000")).getStatusCode());
        assertEquals(4_000_000_000_000L, stack.days("example.org", "2026-11-19").get(0).successful());
    }

    /** The same 7 sessions under tlsa (all failed) and sts (all ok) are 7 sessions, 7 of them failed. */
    @Test
    void theSameSessionsUnderTwoPolicyTypesCountOnce() {
        assertEquals(201, post(Stack.on("2026-11-18", Stack.microsoft("133456789012345679", "example.org", 0, 7, 7, 0)))
                .getStatusCode());
        assertEquals(201, post(Stack.on("2026-11-18", Stack.microsoft("133456789012345680", "example.org", 100, 4, 100, 4)))
                .getStatusCode());
        ReportStore.Day d = stack.days("example.org", "2026-11-18").get(0);
        assertEquals(100, d.successful());
        assertEquals(11, d.failed());
        assertEquals(Map.of("tlsa-invalid", 11L), d.failures());
    }

    /**
     * RFC 8460 §5.4: an HTTPS delivery is the report itself. An e-mail POSTed there, with its own
     * "Authentication-Results: ... dkim=pass" that no mail system checked, or nested 100,000 levels deep, is refused
     * before it is parsed as one.
     */
    @Test
    void anEmailPostedOverHttpsIsRefusedAsNotAReportBody() {
        String forged = "Authentication-Results: amazonses.com; dkim=pass header.i=@google.com;\r\n"
                + "From: noreply-smtp-tls-reporting@google.com\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: application/tlsrpt+json\r\n\r\n"
                + Stack.report("mail-over-https", "example.com", 100, 0);
        long before = stack.days("example.com", "2026-01-01").stream().mapToLong(ReportStore.Day::successful).sum();
        String refused = "Unsupported: an e-mail is not a report body: POST the report itself as application/tlsrpt+gzip "
                + "or +json (RFC 8460 section 5.3); e-mail goes to the rua=mailto: address\n";
        for (byte[] mail : List.of(forged.getBytes(StandardCharsets.UTF_8), ("From forger@example.net Mon Nov 23 10:00:00 2026\n"
                + forged).getBytes(StandardCharsets.UTF_8), nested(100_000))) {
            for (String type : List.of("application/tlsrpt+json", "application/tlsrpt+gzip")) {
                byte[] body = type.endsWith("gzip") ? Stack.gzip(mail) : mail;
                APIGatewayV2HTTPResponse r = post(handler, type, body);
                if (type.endsWith("gzip")) {
                    // gzip'd, it is gzip'd text that is no JSON: a bad report
                    assertEquals(400, r.getStatusCode(), r.getBody());
                } else {
                    assertEquals(415, r.getStatusCode(), r.getBody());
                    assertEquals(refused, r.getBody());
                }
            }
        }
        assertEquals(415, post(handler, "message/rfc822", forged.getBytes(StandardCharsets.UTF_8)).getStatusCode());
        assertEquals(before, stack.days("example.com", "2026-01-01").stream().mapToLong(ReportStore.Day::successful).sum(),
                "nothing of it counted");
    }

    static byte[] nested(int levels) {
        StringBuilder b = new StringBuilder("From: forger@example.net\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n");
        for (int i = 1; i < levels; i++) {
            b.append("--b").append(i - 1).append("\r\nContent-Type: multipart/mixed; boundary=\"b").append(i).append("\"\r\n\r\n");
        }
        return b.append("--b").append(levels - 1).append("\r\nContent-Type: text/plain\r\n\r\nhi\r\n").toString()
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** No Throwable escapes the function: an Error deep in a library is a 500, the next request is served. */
    @Test
    void anErrorInsideIsAnInternalErrorNotACrash() {
        HttpReportHandler failing = new HttpReportHandler(stack.ingest(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                throw new StackOverflowError();
            }
        }), new FolderRawStore(data), stack.allowance(), Limits.DEFAULT.maxCompressedBytes(), Stack.CLOCK);
        dev.mtasts.emulators.LambdaContext context = new dev.mtasts.emulators.LambdaContext();
        APIGatewayV2HTTPResponse r = failing.handleRequest(HttpReportHandlerTest.post(HOST, "application/tlsrpt+json",
                Stack.report("error-1", "example.com", 1, 0).getBytes(StandardCharsets.UTF_8), true), context);
        assertEquals(500, r.getStatusCode());
        assertEquals("Internal error.\n", r.getBody());
        assertEquals(List.of("unexpected error: java.lang.StackOverflowError"),
                context.lines(com.amazonaws.services.lambda.runtime.logging.LogLevel.ERROR), "logged as what it is");
    }

    /**
     * DynamoDB refusing an item (here a summary an older version filled to the 400 KB limit) is permanent: a 400
     * saying so, the body kept under https/rejected/ with the reason, not a 503 that has the sender retry for a day.
     */
    @Test
    void anItemDynamoDbRefusesIsABadReportKeptRaw() throws IOException {
        stack.client.putItem(r -> r.tableName(stack.reports.table()).item(Items.toItem(Map.of(
                "pk", "domain#example.org", "sk", "day#2026-11-17", "legacy", "x".repeat(400 * 1024 - 100)))));
        byte[] body = Stack.on("2026-11-17", Stack.report("too-large-1", "example.org", 5, 1)).getBytes(StandardCharsets.UTF_8);
        APIGatewayV2HTTPResponse r = post(handler, "application/tlsrpt+json", body);
        assertEquals(400, r.getStatusCode());
        assertEquals("Bad report: cannot be stored in the summary of example.org on 2026-11-17: it would make an item "
                + "larger than DynamoDB's 400 KB\n", r.getBody());
        Path raw = data.resolve("https/rejected/2026/11/23/" + Sha256.hex(body) + ".json");
        assertEquals(new String(body, StandardCharsets.UTF_8), Files.readString(raw));
        assertTrue(Files.readString(raw.resolveSibling(raw.getFileName() + ".meta")).contains("400 KB"));
    }

    /** Hostile bodies and headers, and what is answered: one line, our words, at most 100 characters of theirs. */
    static Stream<Arguments> answers() {
        String gzipCut = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(
                Stack.gzip(Stack.report("cut-1", "example.com", 1, 0).getBytes(StandardCharsets.UTF_8)), 60));
        return Stream.of(
                Arguments.of("a 2 MB string", "application/tlsrpt+json",
                        "{\"organization-name\":\"" + "x".repeat(2 << 20) + "\",\"policies\":[]}", 400,
                        "Bad report: beyond the limits for JSON here: strings up to 1 MB, numbers up to 40 digits, "
                                + "nesting up to 32 levels\n"),
                Arguments.of("JSON cut short", "application/tlsrpt+json", "{\"policies\":[{\"policy\":", 400,
                        "Bad report: not valid JSON: the input ends inside the report (line 1, column 24)\n"),
                Arguments.of("gzip cut short", "application/tlsrpt+gzip", "base64:" + gzipCut, 400,
                        "Bad report: broken or truncated gzip data: it ends early\n"),
                Arguments.of("a 60 kB media type", "application/" + "x".repeat(60_000), "{}", 415,
                        "Unsupported media type \"application/" + "x".repeat(88) + "…\": use application/tlsrpt+gzip or "
                                + "application/tlsrpt+json.\n"),
                Arguments.of("a long domain no one serves", "application/tlsrpt+json",
                        Stack.report("far-1", ("a".repeat(60) + ".").repeat(4) + "example", 1, 0), 404,
                        "Not found: the report is for " + ("a".repeat(60) + ".").repeat(2).substring(0, 100)
                                + "…, which has no MTA-STS row here\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void answers(String what, String contentType, String body, int status, String answer) {
        byte[] bytes = body.startsWith("base64:") ? Base64.getDecoder().decode(body.substring(7))
                : body.getBytes(StandardCharsets.UTF_8);
        APIGatewayV2HTTPResponse r = post(handler, contentType, bytes);
        assertEquals(status, r.getStatusCode(), r.getBody());
        assertEquals(answer, r.getBody());
        assertEquals(r.getBody().length() - 1, r.getBody().indexOf('\n'), "one line");
        for (String leak : List.of("Exception", "StreamReadConstraints", "Request ID", "Service:", ": null", "java.",
                "com.fasterxml")) {
            assertFalse(r.getBody().contains(leak), leak + " in " + r.getBody());
        }
    }
}
