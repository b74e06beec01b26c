package dev.mtasts.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.mtasts.core.report.Limits;
import dev.mtasts.store.ReportStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Base64;
import java.util.HashMap;
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

/** RFC 8460 §5.4, HTTPS delivery: every answer of {@code POST /v1/tlsrpt}, on DynamoDB Local. */
class HttpReportHandlerTest {
    @TempDir
    static Path data;
    static Stack stack;
    static HttpReportHandler handler;

    @BeforeAll
    static void start() {
        stack = new Stack();
        handler = new HttpReportHandler(stack.ingest(new Limits(64 * 1024, 1 << 20), true),
                new FolderRawStore(data), stack.allowance(), 64 * 1024, Stack.CLOCK);
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    static APIGatewayV2HTTPEvent post(String host, String contentType, byte[] body, boolean base64) {
        Map<String, String> headers = new HashMap<>();
        headers.put("host", host);
        if (contentType != null) {
            headers.put("content-type", contentType);
        }
        return APIGatewayV2HTTPEvent.builder()
                .withRawPath(HttpReportHandler.PATH)
                .withHeaders(headers)
                .withBody(base64 ? Base64.getEncoder().encodeToString(body) : new String(body, StandardCharsets.UTF_8))
                .withIsBase64Encoded(base64)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST").build())
                        .build())
                .build();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> answers() {
        String h = "mta-sts.example.com";
        return Stream.of(
                Arguments.of("json", post(h, "application/tlsrpt+json", utf8(Stack.report("a-1", "example.com", 9, 0)), false),
                        201, "Stored.\n"),
                Arguments.of("gzip", post(h, "application/tlsrpt+gzip",
                        Stack.gzip(utf8(Stack.report("a-2", "example.com", 9, 0))), true), 201, "Stored.\n"),
                Arguments.of("plain gzip type, charset parameter", post(h, "application/gzip; charset=binary",
                        Stack.gzip(utf8(Stack.report("a-3", "example.com", 9, 0))), true), 201, "Stored.\n"),
                Arguments.of("no policy-domain: the receiving host's", post(h, "application/json",
                        utf8(Stack.report("a-4", null, 9, 0)), false), 201, "Stored.\n"),
                Arguments.of("report for another domain served here", post(h, "application/tlsrpt+json",
                        utf8(Stack.report("a-5", "example.org", 9, 0)), false), 201, "Stored.\n"),
                Arguments.of("other media type", post(h, "text/plain", utf8("hello"), false), 415,
                        "Unsupported media type \"text/plain\": use application/tlsrpt+gzip or application/tlsrpt+json.\n"),
                Arguments.of("no media type", post(h, null, utf8("{}"), false), 415,
                        "Unsupported media type (none): use application/tlsrpt+gzip or application/tlsrpt+json.\n"),
                Arguments.of("HTML", post(h, "application/tlsrpt+json", utf8("<html><body>502</body></html>"), false),
                        400, "Bad report: not a TLS report: the content looks like HTML or XML\n"),
                Arguments.of("policies not an array", post(h, "application/tlsrpt+json",
                        utf8("{\"organization-name\":\"x\",\"policies\":{}}"), false), 400,
                        "Bad report: policies: expected an array, got an object\n"),
                Arguments.of("truncated gzip", post(h, "application/tlsrpt+gzip",
                        java.util.Arrays.copyOf(Stack.gzip(utf8(Stack.report("a-6", "example.com", 9, 0))), 40), true),
                        400, null),
                Arguments.of("no policies: nothing to count", post(h, "application/tlsrpt+json",
                        utf8("{\"report-id\":\"h1\",\"policies\":[]}"), false), 400,
                        "Bad report: policies: empty, the report counts no sessions\n"),
                Arguments.of("nesting beyond the limit", post(h, "application/tlsrpt+json",
                        utf8("{\"policies\":[],\"x\":" + "[".repeat(100) + "]".repeat(100) + "}"), false), 400, null),
                Arguments.of("domain without a row", post(h, "application/tlsrpt+json",
                        utf8(Stack.report("a-7", "stranger.example", 9, 0)), false), 404,
                        "Not found: the report is for stranger.example, which has no MTA-STS row here\n"),
                Arguments.of("too large", post(h, "application/tlsrpt+json", new byte[70 * 1024], false), 413,
                        "Too large: a report may be at most 65536 bytes.\n"),
                Arguments.of("gzip bomb", post(h, "application/tlsrpt+gzip", Stack.bomb(), true), 413, null));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("answers")
    void answers(String name, APIGatewayV2HTTPEvent event, int status, String body) {
        long t0 = System.nanoTime();
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(status, r.getStatusCode(), r.getBody());
        if (body != null) {
            assertEquals(body, r.getBody());
        }
        assertTrue(r.getBody().endsWith("\n") && r.getBody().indexOf('\n') == r.getBody().length() - 1,
                "one line: " + r.getBody());
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L, name + " took over a second");
    }

    @Test
    void snapStartPrimingReadsAReportAndStoresNothing() {
        int metricsBefore = stack.metrics.size();
        handler.beforeCheckpoint(null);
        handler.afterRestore(null);
        assertTrue(stack.days("snapstart-priming.invalid", "2026-01-01").isEmpty());
        assertEquals(metricsBefore, stack.metrics.size(), "priming is not a rejected delivery");
    }

    @Test
    void getIsNotAllowed() {
        APIGatewayV2HTTPEvent get = post("mta-sts.example.com", "application/json", new byte[0], false);
        get.getRequestContext().getHttp().setMethod("GET");
        APIGatewayV2HTTPResponse r = handler.handleRequest(get, null);
        assertEquals(405, r.getStatusCode());
        assertEquals("POST", r.getHeaders().get("Allow"));
    }

    @Test
    void theSameReportPostedTwiceIsCountedOnceAndKeptRaw() throws IOException {
        byte[] body = utf8(Stack.report("twice-1", "example.org", 40, 2));
        assertEquals(201, handler.handleRequest(post("mta-sts.example.org", "application/tlsrpt+json", body, false), null)
                .getStatusCode());
        APIGatewayV2HTTPResponse again = handler.handleRequest(
                post("mta-sts.example.org", "application/tlsrpt+json", body, false), null);
        assertEquals(200, again.getStatusCode());
        assertEquals("Already received; counted once.\n", again.getBody());

        ReportStore.Day day = stack.days("example.org", "2026-11-22").stream()
                .filter(d -> d.reporters().contains("Google Inc.")).findFirst().orElseThrow();
        assertTrue(day.failed() >= 2);
        Path raw = data.resolve("https/2026/11/22/" + Stack.identity(body) + ".json");
        assertEquals(new String(body, StandardCharsets.UTF_8), Files.readString(raw));
        stack.notices();
        assertTrue(stack.alerts.stream().anyMatch(a -> a.startsWith("MTA-STS: 2 failed TLS sessions for example.org (Google Inc.)")),
                stack.alerts.toString());
        assertTrue(stack.metrics.stream().anyMatch(m -> m.contains("\"Domain\":\"example.org\"")
                && m.contains("\"SessionsFailed\":2") && m.contains("\"Namespace\":\"MtaSts\"")), stack.metrics.toString());
    }

    @Test
    void rejectedBodiesAreKeptWithTheReason() throws IOException {
        byte[] body = utf8("{\"policies\":[{\"policy\":{},\"summary\":{}}]}");
        APIGatewayV2HTTPResponse r = handler.handleRequest(post("mta-sts.example.com", "application/json", body, false), null);
        assertEquals("Bad report: policies[0].policy.policy-type: missing\n", r.getBody());
        Path raw = data.resolve("https/rejected/2026/11/23/" + dev.mtasts.core.Sha256.hex(body) + ".json");
        assertEquals("reason: policies[0].policy.policy-type: missing\n",
                Files.readString(raw.resolveSibling(raw.getFileName() + ".meta")));
        assertTrue(stack.metrics.stream().anyMatch(m -> m.contains("\"ReportsRejected\":1")
                && m.contains("\"Dimensions\":[[\"Source\"],[]]")), stack.metrics.toString());
    }

    @Test
    void aRawStoreOutageIs503SoTheSenderRetries() {
        HttpReportHandler broken = new HttpReportHandler(stack.ingest(Limits.DEFAULT, true), new RawStore() {
            @Override
            public void putIfAbsent(String key, byte[] bytes, String contentType, Map<String, String> metadata) {
                throw software.amazon.awssdk.core.exception.SdkClientException.create("S3 unreachable");
            }

            @Override
            public void delete(String key) {
                throw software.amazon.awssdk.core.exception.SdkClientException.create("S3 unreachable");
            }
        }, stack.allowance(), 1 << 20, Stack.CLOCK);
        dev.mtasts.emulators.LambdaContext context = new dev.mtasts.emulators.LambdaContext();
        APIGatewayV2HTTPResponse r = broken.handleRequest(post("mta-sts.example.com", "application/json",
                utf8(Stack.report("outage-1", "example.com", 1, 0)), false), context);
        assertEquals(503, r.getStatusCode());
        assertEquals("60", r.getHeaders().get("Retry-After"), "a 503 says when to try again");
        assertEquals(List.of("cannot store the report now: S3 unreachable"),
                context.lines(com.amazonaws.services.lambda.runtime.logging.LogLevel.ERROR));
        assertEquals(List.of(), stack.days("example.com", "2026-01-01").stream()
                .filter(d -> d.reporters().contains("never")).toList());
    }
}
