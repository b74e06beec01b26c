package dev.mtasts.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Mode;
import dev.mtasts.core.MxPattern;
import dev.mtasts.core.Policy;
import dev.mtasts.emulators.LambdaContext;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.StateStore;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Every answer of the policy host (RFC 8461 §3.3), with the domains table on DynamoDB Local. */
class PolicyHandlerTest {
    static final String PATH = "/.well-known/mta-sts.txt";
    static final String REPORTS = "/v1/tlsrpt";

    /** RFC 8461 §5: an enforce policy that has not passed the MX check is not served to anyone. */
    @org.junit.jupiter.api.Test
    void anEnforcePolicyNotYetCheckedIsNotServed() {
        APIGatewayV2HTTPResponse r = handler.handleRequest(request("GET", "mta-sts.unchecked.example", PATH), null);
        assertEquals(404, r.getStatusCode());
        assertEquals("Not found: the policy of unchecked.example is being checked; it is served once it has passed.\n", r.getBody());
    }
    static final String ENFORCE_BODY = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
            + "mx: *.example.net\r\nmax_age: 604800\r\n";

    private static LocalDynamoDb dynamo;
    private static DynamoDbClient client;
    private static DomainStore store;
    private static PolicyHandler handler;

    @BeforeAll
    static void start() throws Exception {
        dynamo = LocalDynamoDb.start();
        // the SDK's standard endpoint setting, as serve's sam-local-env.json gives it to sam local (here as a system property)
        System.setProperty("aws.endpointUrlDynamoDb", dynamo.endpoint().toString());
        client = Dynamo.create(dynamo.endpoint(), null);
        store = new DomainStore(client, DomainStore.DEFAULT_TABLE).withState(StateStore.DEFAULT_TABLE);
        store.createTable();
        store.state().createTable();
        // an enforce policy the stack has checked against the zone's MX hosts and announced
        Map<String, Object> enforceRow = Map.of("domain", "example.com", "mode", "enforce",
                "mx", List.of("mail.example.com", "*.example.net"), "max_age", new BigDecimal(604800));
        store.putItem(enforceRow);
        announced("example.com", ENFORCE_BODY);
        // the stack's state says so whatever the row became since: deleted, replaced, broken
        announced("deleted.example", ENFORCE_BODY);
        store.putItem(Map.of("domain", "replaced.example", "mode", "enforce", "mx", List.of("mail.example.com"),
                "max_age", new BigDecimal(604800)));
        announced("replaced.example", ENFORCE_BODY);
        store.putItem(Map.of("domain", "emptied.example"));
        announced("emptied.example", ENFORCE_BODY);
        store.putItem(Map.of("domain", "broken-announced.example", "mode", "Enforce"));
        announced("broken-announced.example", ENFORCE_BODY);
        // a row of the earlier version, its state on the row, not moved yet
        Map<String, Object> legacy = new java.util.LinkedHashMap<>(enforceRow);
        legacy.put("domain", "legacy.example");
        String id = Policy.parse(ENFORCE_BODY).id();
        legacy.put(Lifecycle.ATTRIBUTE, Lifecycle.start(java.time.Instant.now()).withAccepted(id)
                .withAnnounced(new Lifecycle.Announced(id, ENFORCE_BODY)).toPlain());
        store.putItem(legacy);
        // a lifecycle written into a row by hand, claiming the enforce row was accepted: believed only for an
        // announcement, and it has none
        Map<String, Object> claimed = new java.util.LinkedHashMap<>(enforceRow);
        claimed.put("domain", "claimed.example");
        claimed.put(Lifecycle.ATTRIBUTE, Lifecycle.start(java.time.Instant.now()).withAccepted(id).toPlain());
        store.putItem(claimed);
        // an enforce policy the stack has not checked yet
        store.putItem(Map.of("domain", "unchecked.example", "mode", "enforce",
                "mx", List.of("mail.unchecked.example"), "max_age", new BigDecimal(604800)));
        store.putItem(Map.of("domain", "retired.example", "mode", "none", "max_age", new BigDecimal(86400)));
        store.putItem(Map.of("domain", "broken.example", "mode", "Enforce",
                "mx", List.of("mail.broken.example"), "max_age", new BigDecimal(86400)));
        handler = new PolicyHandler(store);
    }

    @AfterAll
    static void stop() {
        System.clearProperty("aws.endpointUrlDynamoDb");
        client.close();
        dynamo.close();
    }

    /** The stack's state of a domain whose policy it announced: written to the state table, as the lifecycle does. */
    static void announced(String domain, String body) throws Exception {
        Policy p = Policy.parse(body);
        putState(Map.of("domain", domain, Lifecycle.ATTRIBUTE, Lifecycle.start(java.time.Instant.now())
                .withAccepted(p.id()).withAnnounced(new Lifecycle.Announced(p.id(), body)).toPlain()));
    }

    static void putState(Map<String, Object> item) {
        client.putItem(r -> r.tableName(StateStore.DEFAULT_TABLE).item(dev.mtasts.store.Items.toItem(item)));
    }

    static APIGatewayV2HTTPEvent request(String method, String host, String path) {
        Map<String, String> headers = new HashMap<>();
        if (host != null) {
            headers.put("host", host);
        }
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRawPath(path)
                .withHeaders(headers)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withDomainName(host == null ? "mta-sts.example.com" : "localhost")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(method).withPath(path).build())
                        .build())
                .build();
    }

    static Stream<Arguments> answers() {
        return Stream.of(
                Arguments.of("GET a valid row", request("GET", "mta-sts.example.com", PATH), 200, ENFORCE_BODY),
                Arguments.of("HEAD: the GET's answer, whose body the gateway drops", request("HEAD", "mta-sts.example.com", PATH), 200, ENFORCE_BODY),
                Arguments.of("mode none needs no mx", request("GET", "mta-sts.retired.example", PATH), 200,
                        "version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n"),
                Arguments.of("host with port and upper case", request("GET", "MTA-STS.Example.COM:443", PATH), 200,
                        ENFORCE_BODY),
                Arguments.of("host from requestContext when no Host header", request("GET", null, PATH), 200,
                        ENFORCE_BODY),
                Arguments.of("unknown domain", request("GET", "mta-sts.unknown.example", PATH), 404,
                        "Not found: no MTA-STS policy is published for unknown.example.\n"),
                Arguments.of("host that is not mta-sts.*", request("GET", "www.example.com", PATH), 404,
                        "Not found: www.example.com is not an MTA-STS policy host (mta-sts.<domain>).\n"),
                Arguments.of("IPv6 literal host", request("GET", "[::1]:8080", PATH), 404,
                        "Not found: [::1]:8080 is not an MTA-STS policy host (mta-sts.<domain>).\n"),
                Arguments.of("a 60 kB host is not repeated", request("GET", "mta-sts." + "a".repeat(60_000) + ".com", PATH),
                        404, "Not found: mta-sts." + "a".repeat(92) + "… is not an MTA-STS policy host (mta-sts.<domain>).\n"),
                Arguments.of("a host with a line break stays one line", request("GET", "www.example.com\r\nX: y", PATH),
                        404, "Not found: www.example.com??x is not an MTA-STS policy host (mta-sts.<domain>).\n"),
                Arguments.of("other path", request("GET", "mta-sts.example.com", "/"), 404,
                        "Not found: mta-sts.example.com serves only the MTA-STS policy of example.com at "
                                + PATH + " (RFC 8461).\n"),
                Arguments.of("trailing slash is another path", request("GET", "mta-sts.example.com", PATH + "/"), 404,
                        "Not found: mta-sts.example.com serves only the MTA-STS policy of example.com at "
                                + PATH + " (RFC 8461).\n"),
                Arguments.of("POST", request("POST", "mta-sts.example.com", PATH), 405,
                        "Method not allowed: use GET or HEAD.\n"),
                Arguments.of("DELETE", request("DELETE", "mta-sts.example.com", PATH), 405,
                        "Method not allowed: use GET or HEAD.\n"),
                // the report address takes POST (its own route, to the reports function); anything else comes here
                Arguments.of("GET the report address", request("GET", "mta-sts.example.com", REPORTS), 405,
                        "Method not allowed: POST a TLS report (RFC 8460) here.\n"),
                Arguments.of("HEAD the report address on any host", request("HEAD", "127.0.0.1:8080", REPORTS), 405,
                        "Method not allowed: POST a TLS report (RFC 8460) here.\n"),
                Arguments.of("invalid row is never served", request("GET", "mta-sts.broken.example", PATH), 500,
                        "Internal error.\n"),
                Arguments.of("a row deleted: the announced policy until it is withdrawn",
                        request("GET", "mta-sts.deleted.example", PATH), 200, ENFORCE_BODY),
                Arguments.of("a row replaced by an enforce policy not checked yet: the announced one",
                        request("GET", "mta-sts.replaced.example", PATH), 200, ENFORCE_BODY),
                Arguments.of("a row emptied: the announced policy", request("GET", "mta-sts.emptied.example", PATH), 200,
                        ENFORCE_BODY),
                Arguments.of("a row broken: the announced policy, not a 500",
                        request("GET", "mta-sts.broken-announced.example", PATH), 200, ENFORCE_BODY),
                Arguments.of("a row of the earlier version: its announcement until it is moved",
                        request("GET", "mta-sts.legacy.example", PATH), 200, ENFORCE_BODY),
                Arguments.of("a row claiming its enforce policy was checked: not believed",
                        request("GET", "mta-sts.claimed.example", PATH), 404,
                        "Not found: the policy of claimed.example is being checked; it is served once it has passed.\n"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("answers")
    void answers(String name, APIGatewayV2HTTPEvent event, int status, String body) {
        LambdaContext context = new LambdaContext();
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, context);
        assertEquals(status, r.getStatusCode());
        assertEquals(body, r.getBody());
        assertEquals("text/plain; charset=utf-8", r.getHeaders().get("Content-Type"));
        assertFalse(r.getIsBase64Encoded());
        assertFalse(r.getHeaders().containsKey("Location"), "never a redirect");
        assertEquals(status != 405 ? null : REPORTS.equals(event.getRawPath()) ? "POST" : "GET, HEAD",
                r.getHeaders().get("Allow"));
        if (status == 500) {
            // the body is generic; the log names the domain and the exact reason
            assertEquals(List.of("domain broken.example: invalid row, not served: mode must be one of testing, enforce, "
                    + "none (got \"Enforce\")"), context.lines(LogLevel.ERROR));
        }
    }

    @Test
    void anUnreachableTableIs503() throws Exception {
        try (DynamoDbClient dead = Dynamo.create(LocalDynamoDb.unreachableEndpoint(), null)) {
            LambdaContext context = new LambdaContext();
            APIGatewayV2HTTPResponse r = new PolicyHandler(new DomainStore(dead, DomainStore.DEFAULT_TABLE))
                    .handleRequest(request("GET", "mta-sts.example.com", PATH), context);
            assertEquals(503, r.getStatusCode());
            assertEquals("Service unavailable, try again later.\n", r.getBody());
            assertEquals(List.of("domain example.com: DynamoDB unreachable: connection refused"),
                    context.lines(LogLevel.ERROR));
        }
    }

    /**
     * A table that accepts connections and never answers: a sender (about 4 s for DNS and HTTPS together) gets a
     * 503 within the client's call budget. The bound allows for a busy machine; without one it is the SDK's.
     */
    @Test
    void aSilentTableIs503WithRetryAfterWithinTheBudget() throws Exception {
        try (SilentPort silent = new SilentPort()) {
            System.setProperty("aws.endpointUrlDynamoDb", "http://127.0.0.1:" + silent.port());
            PolicyHandler fromEnv;
            try {
                fromEnv = new PolicyHandler(Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "x",
                        "AWS_SECRET_ACCESS_KEY", "y", "DOMAINS_TABLE", DomainStore.DEFAULT_TABLE));
            } finally {
                System.setProperty("aws.endpointUrlDynamoDb", dynamo.endpoint().toString());
            }
            for (int i = 0; i < 2; i++) {
                assert503WithinTheBudget(fromEnv);
            }
        }
    }

    /**
     * A SnapStart function's credentials come from a container endpoint, whose client has timeouts of its own
     * (seconds), outside the DynamoDB client's budget: a silent one is still a 503 within the budget.
     */
    @Test
    void aSilentCredentialsEndpointIs503WithinTheBudget() throws Exception {
        try (SilentPort silent = new SilentPort()) {
            System.setProperty("aws.containerCredentialsFullUri", "http://127.0.0.1:" + silent.port() + "/credentials");
            try {
                PolicyHandler snapStart = new PolicyHandler(Map.of("AWS_REGION", "us-east-1",
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:" + silent.port() + "/credentials",
                        "DOMAINS_TABLE", DomainStore.DEFAULT_TABLE));
                assert503WithinTheBudget(snapStart);
            } finally {
                System.clearProperty("aws.containerCredentialsFullUri");
            }
        }
    }

    /** 503 with Retry-After within the budget, and 300 ms for a busy machine. */
    private static void assert503WithinTheBudget(PolicyHandler handler) {
        long t0 = System.nanoTime();
        LambdaContext context = new LambdaContext();
        APIGatewayV2HTTPResponse r = handler.handleRequest(request("GET", "mta-sts.example.com", PATH), context);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(503, r.getStatusCode());
        assertEquals("5", r.getHeaders().get("Retry-After"));
        assertEquals(List.of("domain example.com: DynamoDB unreachable: no answer in " + Dynamo.CALL_BUDGET.toMillis()
                + " ms"), context.lines(LogLevel.ERROR));
        assertTrue(ms < Dynamo.CALL_BUDGET.toMillis() + 300, "answered in " + ms + " ms");
    }

    /** A port on 127.0.0.1 that accepts connections, reads what comes and never answers. */
    static final class SilentPort implements AutoCloseable {
        private final java.net.ServerSocket listener;
        private final List<java.net.Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();

        SilentPort() throws java.io.IOException {
            listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!listener.isClosed()) {
                    try {
                        java.net.Socket s = listener.accept();
                        accepted.add(s);
                        Thread reader = new Thread(() -> {
                            try {
                                s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                            } catch (java.io.IOException closed) {
                                // the client gave up
                            }
                        }, "silent-read");
                        reader.setDaemon(true);
                        reader.start();
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            }, "silent-accept");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws java.io.IOException {
            listener.close();
            for (java.net.Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void aMissingTableIsAnErrorNotAnException() {
        LambdaContext context = new LambdaContext();
        APIGatewayV2HTTPResponse r = new PolicyHandler(new DomainStore(client, "no-such-table"))
                .handleRequest(request("GET", "mta-sts.example.com", PATH), context);
        assertEquals(500, r.getStatusCode());
        assertTrue(context.lines(LogLevel.ERROR).get(0).startsWith("unexpected error: software.amazon.awssdk.services."
                + "dynamodb.model.ResourceNotFoundException"), context.lines().toString());
    }

    /** The constructor Lambda calls, with the variables Lambda and template.yaml set. */
    @Test
    void theLambdaConstructorReadsTheEnvironment() {
        PolicyHandler fromEnv = new PolicyHandler(Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", "secret", "AWS_SESSION_TOKEN", "token",
                "DOMAINS_TABLE", DomainStore.DEFAULT_TABLE));
        APIGatewayV2HTTPResponse r = fromEnv.handleRequest(request("GET", "mta-sts.example.com", PATH), null);
        assertEquals(200, r.getStatusCode());
        assertEquals(ENFORCE_BODY, r.getBody());
    }

    /** SnapStart hooks run against the real table and leave the handler serving as before. */
    @Test
    void snapStartPrimingAnswersOneRequestAndRestoreChangesNothing() {
        PolicyHandler primed = new PolicyHandler(Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "x",
                "AWS_SECRET_ACCESS_KEY", "y", "DOMAINS_TABLE", DomainStore.DEFAULT_TABLE));
        primed.beforeCheckpoint(null);
        primed.afterRestore(null);
        assertEquals(ENFORCE_BODY, primed.handleRequest(request("GET", "mta-sts.example.com", PATH), null).getBody());
    }

    /** SnapStart functions get no access keys, only a container credentials endpoint. */
    @Test
    void snapStartCredentialsComeFromTheContainerEndpoint() {
        assertTrue(Dynamo.lambdaCredentials(Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds"))
                instanceof software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider);
    }

    /** Missing credentials are a configuration error (500), not an outage (503). */
    @Test
    void aClientWithoutCredentialsIsAnErrorNotAnOutage() {
        try (DynamoDbClient noCredentials = DynamoDbClient.builder().endpointOverride(dynamo.endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .credentialsProvider(() -> {
                    throw software.amazon.awssdk.core.exception.SdkClientException.create("Unable to load credentials");
                }).build()) {
            LambdaContext context = new LambdaContext();
            APIGatewayV2HTTPResponse r = new PolicyHandler(new DomainStore(noCredentials, DomainStore.DEFAULT_TABLE))
                    .handleRequest(request("GET", "mta-sts.example.com", PATH), context);
            assertEquals(500, r.getStatusCode());
            assertTrue(context.lines(LogLevel.ERROR).get(0).endsWith("Unable to load credentials"),
                    context.lines().toString());
        }
    }

    @Test
    void anEmptyEventIsAnsweredNotThrown() {
        APIGatewayV2HTTPResponse r = handler.handleRequest(new APIGatewayV2HTTPEvent(), null);
        assertEquals(404, r.getStatusCode());
    }

    /**
     * RFC 8461 §8.1: the new body must be what every request gets before the new id is announced. Reads are
     * strongly consistent and nothing is cached, so the request right after the write already serves the new
     * policy, and the id the DNS side derives from the row matches the body served.
     */
    @Test
    void aWrittenRowIsServedByTheVeryNextRequestAnEnforceOneOnceItPassedTheMxCheck() throws Exception {
        DomainName domain = DomainName.parse("moving.example");
        for (Mode mode : List.of(Mode.TESTING, Mode.ENFORCE, Mode.NONE, Mode.TESTING)) {
            for (long maxAge : List.of(86400L, 604800L)) {
                Policy policy = new Policy(mode, List.of(new MxPattern("mx" + maxAge + ".moving.example")), maxAge);
                store.put(new DomainRow(domain, policy));
                if (mode == Mode.ENFORCE) {
                    // RFC 8461 §5: an enforce policy waits for the MX check; the next request after it passed serves it
                    assertEquals(404, handler.handleRequest(request("GET", "mta-sts.moving.example", PATH), null).getStatusCode());
                    putState(Map.of("domain", domain.value(), Lifecycle.ATTRIBUTE,
                            Lifecycle.start(java.time.Instant.now()).withAccepted(policy.id()).toPlain()));
                }
                APIGatewayV2HTTPResponse r = handler.handleRequest(request("GET", "mta-sts.moving.example", PATH), null);
                assertEquals(policy.render(), r.getBody());
                assertEquals(policy.id(), Policy.parse(r.getBody()).id());
            }
        }
    }

    @Test
    void successCarriesNoCacheForIntermediaries() {
        APIGatewayV2HTTPResponse r = handler.handleRequest(request("GET", "mta-sts.example.com", PATH), null);
        assertEquals("no-cache", r.getHeaders().get("Cache-Control"));
        assertNull(handler.handleRequest(request("GET", "mta-sts.unknown.example", PATH), null)
                .getHeaders().get("Cache-Control"));
        assertTrue(r.getBody().endsWith("\r\n"));
    }
}
