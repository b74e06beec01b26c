package dev.mtasts.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.sun.net.httpserver.HttpServer;
import dev.mtasts.cli.DomainsFile;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.dns.DnsStreamHandler;
import dev.mtasts.dns.DnsSync;
import dev.mtasts.dns.DomainResourceHandler;
import dev.mtasts.dns.Zones;
import dev.mtasts.local.LocalDynamoDb;
import dev.mtasts.local.MotoServer;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.Emf;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.RRType;

/**
 * {@code sam local invoke DnsSyncFunction|DomainSetupFunction -e infra/events/…}: the stream and custom resource
 * events, read by the Lambda runtime's serialiser, through the handlers, on DynamoDB Local seeded as
 * {@code mta-sts serve} seeds it and moto_server's Route53 with the sample domains' zones.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DnsEventReplayTest {
    static final Path EVENTS = Path.of("events");
    static LocalDynamoDb dynamo;
    static MotoServer moto;
    static DynamoDbClient client;
    static Route53Client route53;
    static DomainStore store;
    static DnsSync sync;
    static Zones zones;
    static HttpServer cloudFormation;
    static final AtomicInteger changes = new AtomicInteger();
    static final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws IOException {
        dynamo = LocalDynamoDb.start();
        moto = MotoServer.start();
        client = Dynamo.create(dynamo.endpoint(), null);
        store = new DomainStore(client, DomainStore.DEFAULT_TABLE);
        store.createTable();
        DomainsFile.load(store, DomainsFile.read(Path.of("local", "domains.json")));
        route53 = Route53Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.AWS_GLOBAL)
                .credentialsProvider(Dynamo.localCredentials()).endpointOverride(moto.endpoint())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution c, ExecutionAttributes a) {
                        if ("ChangeResourceRecordSets".equals(a.getAttribute(SdkExecutionAttribute.OPERATION_NAME))) {
                            changes.incrementAndGet();
                        }
                    }
                })).build();
        zone("example.com", "mail.example.com", "eu.mx.example.net");
        zone("example.org", "mx1.example.org", "mx2.example.org");
        zone("retired.example", "mail.retired.example");
        zones = new Zones(route53);
        sync = new DnsSync(store, zones, new Emf(line -> { }, Clock.systemUTC()), Clock.systemUTC(), 300);
        cloudFormation = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cloudFormation.createContext("/", exchange -> {
            answers.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        cloudFormation.start();
    }

    @AfterAll
    static void stop() {
        cloudFormation.stop(0);
        route53.close();
        client.close();
        moto.close();
        dynamo.close();
    }

    static void zone(String name, String... mx) {
        String id = route53.createHostedZone(r -> r.name(name).callerReference(name)).hostedZone().id();
        route53.changeResourceRecordSets(r -> r.hostedZoneId(id).changeBatch(b -> b.changes(c -> c.action("CREATE")
                .resourceRecordSet(s -> s.name(name + ".").type(RRType.MX).ttl(3600L).resourceRecords(
                        java.util.Arrays.stream(mx).map(h -> software.amazon.awssdk.services.route53.model.ResourceRecord
                                .builder().value("10 " + h + ".").build()).toList())))));
    }

    static <T> T read(String file, Class<T> type) throws IOException {
        try (InputStream in = Files.newInputStream(EVENTS.resolve(file))) {
            return LambdaEventSerializers.serializerFor(type, DnsEventReplayTest.class.getClassLoader()).fromJson(in);
        }
    }

    static String published(String domain) throws Exception {
        Zones.Zone z = zones.zoneFor(DomainName.parse(domain)).orElseThrow();
        List<List<String>> txt = Zones.txt(zones.targeted(z).find("_mta-sts." + domain, software.amazon.awssdk.services.route53.model.RRType.TXT));
        return txt.isEmpty() ? null : String.join("", txt.get(0));
    }

    static String rowId(String domain) throws Exception {
        return DomainRow.parse(store.find(DomainName.parse(domain)).orElseThrow()).policy().id();
    }

    @Test
    @Order(1)
    void insertPublishesTheRowsId() throws Exception {
        var r = new DnsStreamHandler(sync).handleRequest(read("dns-stream-insert.json", DynamodbEvent.class), null);
        assertEquals(List.of(), r.getBatchItemFailures());
        assertEquals("v=STSv1; id=" + rowId("example.com"), published("example.com"));
    }

    @Test
    @Order(2)
    void aStatusWriteChangesNothing() throws Exception {
        int before = changes.get();
        new DnsStreamHandler(sync).handleRequest(read("dns-stream-status-only.json", DynamodbEvent.class), null);
        assertEquals(before, changes.get());
    }

    @Test
    @Order(3)
    void modifyPublishesTheNewId() throws Exception {
        new DnsStreamHandler(sync).handleRequest(read("dns-stream-modify.json", DynamodbEvent.class), null);
        assertEquals("v=STSv1; id=" + rowId("example.org"), published("example.org"));
    }

    @Test
    @Order(4)
    void removeWithdrawsTheRecord() throws Exception {
        sync.sync(List.of(DomainName.parse("retired.example")), null, false);
        assertTrue(published("retired.example") != null);
        store.delete(DomainName.parse("retired.example"));
        new DnsStreamHandler(sync).handleRequest(read("dns-stream-remove.json", DynamodbEvent.class), null);
        assertEquals(null, published("retired.example"));
    }

    @Test
    @Order(5)
    void setupFindsTheZoneAndPublishesNothing() throws Exception {
        CloudFormationCustomResourceEvent e = read("domain-setup-create.json", CloudFormationCustomResourceEvent.class);
        e.setResponseUrl("http://127.0.0.1:" + cloudFormation.getAddress().getPort() + "/cfn-response");
        store.delete(DomainName.parse("example.com"));
        sync.sync(List.of(DomainName.parse("example.com")), null, false); // no row: no record
        assertEquals("SUCCESS", new DomainResourceHandler(sync, zones).handleRequest(e, null));
        String answer = answers.poll(10, TimeUnit.SECONDS);
        assertTrue(answer != null && answer.contains("\"HostedZoneId\":\"") && answer.contains("seeded a testing row"),
                answer);
        assertEquals("testing", store.find(DomainName.parse("example.com")).orElseThrow().get("mode"));
        assertEquals(null, published("example.com"), "the announce stage publishes, once the host exists");
    }

    @Test
    @Order(6)
    void customResourceCreateUpdateDelete() throws Exception {
        DomainResourceHandler handler = new DomainResourceHandler(sync, zones);
        String url = "http://127.0.0.1:" + cloudFormation.getAddress().getPort() + "/cfn-response";
        for (String type : List.of("create", "update", "delete")) {
            CloudFormationCustomResourceEvent e = read("domain-resource-" + type + ".json",
                    CloudFormationCustomResourceEvent.class);
            e.setResponseUrl(url);
            assertEquals("SUCCESS", handler.handleRequest(e, null), type);
            String answer = answers.poll(10, TimeUnit.SECONDS);
            assertTrue(answer != null && answer.contains("\"Status\":\"SUCCESS\"")
                    && answer.contains("\"LogicalResourceId\":\"" + e.getLogicalResourceId() + "\""), type + ": " + answer);
            if (!type.equals("delete")) {
                assertTrue(answer.contains("\"HostedZoneId\":\""), answer);
                assertEquals("v=STSv1; id=" + rowId("example.com"), published("example.com"));
            }
        }
        assertEquals(null, published("example.com"), "Delete removes _mta-sts");
    }
}
