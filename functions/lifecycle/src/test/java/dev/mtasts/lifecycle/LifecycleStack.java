package dev.mtasts.lifecycle;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpServer;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.emulators.MotoServer;
import dev.mtasts.policy.PolicyHandler;
import dev.mtasts.sender.PolicyFetch;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.Emf;
import dev.mtasts.store.StateStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.acm.AcmClient;
import software.amazon.awssdk.services.acm.model.CertificateSummary;
import software.amazon.awssdk.services.apigatewayv2.ApiGatewayV2Client;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * The real parts of the lifecycle: DynamoDB Local, moto_server's Route53, ACM and API Gateway v2 (every request
 * counted by service and operation), and the policy function behind an HTTP listener on 127.0.0.1 that the live check
 * fetches from, as the local stack does.
 */
public final class LifecycleStack implements AutoCloseable {
    public final LocalDynamoDb dynamo = LocalDynamoDb.start();
    public final MotoServer moto = MotoServer.start();
    public final DynamoDbClient dynamoClient = Dynamo.create(dynamo.endpoint(), null);
    private final long id = System.nanoTime();
    /** The domains table, with the stack's state table beside it. */
    public final DomainStore store = new DomainStore(dynamoClient, "domains-" + id).withState("state-" + id);
    public final StateStore state = store.state();
    public final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    /**
     * Errors AWS answers with, by {@code Service Operation} ({@code ApiGatewayV2 CreateDomainName}): a request to one
     * of them fails with that error before it is sent, as the SDK would throw it. For shapes moto_server cannot make
     * (throttling, quotas).
     */
    public final Map<String, java.util.function.Supplier<software.amazon.awssdk.core.exception.SdkException>> faults =
            new ConcurrentHashMap<>();

    public final List<String> metrics = Collections.synchronizedList(new ArrayList<>());
    /** The alerts the lifecycle sent, subject and body, as the stack's SNS topic would get them. */
    public final List<String[]> alerts = Collections.synchronizedList(new ArrayList<>());
    public final Route53Client route53 = Route53Client.builder().httpClient(UrlConnectionHttpClient.create())
            .region(Region.AWS_GLOBAL).credentialsProvider(Dynamo.localCredentials()).endpointOverride(moto.endpoint())
            .overrideConfiguration(counting()).build();
    public final AcmClient acm = AcmClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
            .credentialsProvider(Dynamo.localCredentials()).endpointOverride(moto.endpoint())
            .overrideConfiguration(counting()).build();
    public final ApiGatewayV2Client api = ApiGatewayV2Client.builder().httpClient(UrlConnectionHttpClient.create())
            .region(Region.US_EAST_1).credentialsProvider(Dynamo.localCredentials()).endpointOverride(moto.endpoint())
            .overrideConfiguration(counting()).build();
    public final String apiId = api.createApi(r -> r.name("mta-sts").protocolType("HTTP")).apiId();
    public final TestClock clock = new TestClock();
    public final HttpServer policyHost;
    public final AtomicInteger policyRequests = new AtomicInteger();
    public final Zones zones = new Zones(route53);
    public final Certificates certificates = new Certificates(acm, "mta-sts");
    public final CustomDomains customDomains = new CustomDomains(api, apiId, "mta-sts");
    public final DomainLifecycle lifecycle;
    /** The policy function, on this stack's tables. */
    public final PolicyHandler handler;

    public LifecycleStack() throws IOException {
        store.createTable();
        state.createTable();
        handler = new PolicyHandler(store);
        policyHost = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        policyHost.createContext("/", exchange -> {
            policyRequests.incrementAndGet();
            APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder()
                    .withRawPath(exchange.getRequestURI().getRawPath())
                    .withHeaders(Map.of("host", exchange.getRequestHeaders().getFirst("Host")))
                    .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                            .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                    .withMethod(exchange.getRequestMethod()).build()).build())
                    .build();
            APIGatewayV2HTTPResponse r = handler.handleRequest(event, new dev.mtasts.emulators.LambdaContext());
            byte[] body = r.getBody().getBytes(StandardCharsets.UTF_8);
            r.getHeaders().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.sendResponseHeaders(r.getStatusCode(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        policyHost.start();
        lifecycle = lifecycle((d, s) -> { });
    }

    /** What the policy function answers a sender's GET of the domain's policy: {@code 200 <body>}, {@code 404 …}. */
    public String served(String domain) {
        // what the function logs (an invalid row is an ERROR) is its own test's business, not the build's output
        APIGatewayV2HTTPResponse r = handler.handleRequest(APIGatewayV2HTTPEvent.builder()
                .withRawPath(PolicyHandler.POLICY_PATH)
                .withHeaders(Map.of("host", "mta-sts." + domain))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").build()).build())
                .build(), new dev.mtasts.emulators.LambdaContext());
        return r.getStatusCode() + " " + r.getBody();
    }

    /** The lifecycle with a hook after every step (before its progress is written), fetching from the listener. */
    public DomainLifecycle lifecycle(BiConsumer<DomainName, Lifecycle.Step> hook) {
        return lifecycle(customDomains, hook);
    }

    /** The same, for a deployment of the stack whose HTTP API is {@code apis}' (deployed again, a new API). */
    public DomainLifecycle lifecycle(CustomDomains apis, BiConsumer<DomainName, Lifecycle.Step> hook) {
        int port = policyHost.getAddress().getPort();
        return DomainLifecycle.of(store, zones, certificates, apis,
                d -> PolicyFetch.Target.plain(d.policyHost(), InetAddress.getLoopbackAddress(), port), null,
                List.of("tlsrpt@example.net"), 300, new Emf(metrics::add, clock), clock)
                .withHook(hook, d -> clock.advance(d));
    }

    /** The lifecycle as the function runs it: MX moves alerting to {@link #alerts}, MX records written if allowed. */
    public DomainLifecycle moving(boolean mayWriteMx) {
        return lifecycle.withMxMoves((subject, body) -> alerts.add(new String[] {subject, body}), mayWriteMx);
    }

    private ClientOverrideConfiguration counting() {
        return ClientOverrideConfiguration.builder().addExecutionInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                String call = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + " "
                        + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
                calls.computeIfAbsent(call, k -> new AtomicInteger()).incrementAndGet();
                var fault = faults.get(call);
                if (fault != null) {
                    throw fault.get();
                }
            }
        }).build();
    }

    /** A public zone with the given MX hosts at its apex; returns its id. */
    public String zone(String name, String... mx) {
        String id = route53.createHostedZone(r -> r.name(name).callerReference(name + System.nanoTime()))
                .hostedZone().id().replace("/hostedzone/", "");
        if (mx.length > 0) {
            setMx(id, name, mx);
        }
        return id;
    }

    public void setMx(String zoneId, String name, String... mx) {
        List<ResourceRecord> records = new ArrayList<>();
        for (int i = 0; i < mx.length; i++) {
            records.add(ResourceRecord.builder().value((i + 1) * 10 + " " + mx[i] + ".").build());
        }
        change(zoneId, Change.builder().action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder()
                .name(name + ".").type(RRType.MX).ttl(3600L).resourceRecords(records).build()).build());
    }

    public void record(String zoneId, String name, RRType type, String value) {
        change(zoneId, Change.builder().action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder()
                .name(name).type(type).ttl(300L).resourceRecords(ResourceRecord.builder().value(value).build()).build()).build());
    }

    public void change(String zoneId, Change change) {
        route53.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(change)));
    }

    /** Every record set of a zone except its SOA and NS: what the stack and the test put there. */
    public List<String> records(String zoneId) {
        List<String> out = new ArrayList<>();
        for (ResourceRecordSet s : route53.listResourceRecordSetsPaginator(r -> r.hostedZoneId(zoneId)).resourceRecordSets()) {
            if (s.type() != RRType.SOA && s.type() != RRType.NS) {
                out.add(Zones.describe(s));
            }
        }
        return out;
    }

    /** The record sets at one name, as {@code type value}. */
    public Map<String, String> at(String zoneId, String name) {
        Map<String, String> out = new TreeMap<>();
        for (ResourceRecordSet s : zones.setsAt(new Zones.Zone(zoneId, ""), name)) {
            out.put(s.typeAsString(), s.aliasTarget() != null ? "alias " + Zones.trimDot(s.aliasTarget().dnsName())
                    : String.join(" ", s.resourceRecords().stream().map(ResourceRecord::value).toList()));
        }
        return out;
    }

    public List<CertificateSummary> certificates(String host) {
        return acm.listCertificates(r -> { }).certificateSummaryList().stream()
                .filter(c -> host.equals(c.domainName())).toList();
    }

    public List<String> customDomainNames() {
        return api.getDomainNames(r -> { }).items().stream().map(d -> d.domainName()).toList();
    }

    /** A domain as both tables hold it. */
    public dev.mtasts.store.DomainView view(String domain) {
        return store.view(domain).orElseThrow();
    }

    /** The stack's lifecycle of a domain, from its state table. */
    public Lifecycle lifecycleOf(String domain) {
        return state.find(name(domain)).orElseThrow();
    }

    public DomainLifecycle.Report advance(String domain) {
        return lifecycle.advance(name(domain), clock.instant().plus(Duration.ofMinutes(5)));
    }

    public static DomainName name(String domain) {
        try {
            return DomainName.parse(domain);
        } catch (dev.mtasts.core.InvalidException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Requests by service and operation since the last call, and resets the count. */
    public Map<String, Integer> takeCalls() {
        Map<String, Integer> out = new TreeMap<>();
        calls.forEach((k, v) -> out.put(k, v.getAndSet(0)));
        out.values().removeIf(n -> n == 0);
        return out;
    }

    @Override
    public void close() {
        policyHost.stop(0);
        route53.close();
        acm.close();
        api.close();
        dynamoClient.close();
        moto.close();
        dynamo.close();
    }

    /** A clock tests move by hand: leases expire, waits pass, without sleeping. */
    public static final class TestClock extends Clock {
        private volatile Instant now = Instant.parse("2026-12-01T10:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        public synchronized void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
