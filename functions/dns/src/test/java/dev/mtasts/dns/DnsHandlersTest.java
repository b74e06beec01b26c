package dev.mtasts.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import com.sun.net.httpserver.HttpServer;
import dev.mtasts.core.DomainName;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The DNS functions' two entry points: the table's stream and the CloudFormation custom resource. */
class DnsHandlersTest {
    static DnsStack stack;
    static HttpServer cloudFormation;
    static final BlockingQueue<String[]> responses = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws IOException {
        stack = new DnsStack();
        // stands in for the pre-signed S3 URL CloudFormation waits on
        cloudFormation = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cloudFormation.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            responses.add(new String[] {exchange.getRequestMethod(), exchange.getRequestHeaders().getFirst("Content-Type"), body});
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        cloudFormation.start();
    }

    @AfterAll
    static void stop() {
        cloudFormation.stop(0);
        stack.close();
    }

    static AttributeValue s(String v) {
        return new AttributeValue().withS(v);
    }

    static DynamodbEvent.DynamodbStreamRecord record(String name, String seq, Map<String, AttributeValue> oldImage,
            Map<String, AttributeValue> newImage) {
        DynamodbEvent.DynamodbStreamRecord r = new DynamodbEvent.DynamodbStreamRecord();
        r.setEventName(name);
        StreamRecord change = new StreamRecord();
        Map<String, AttributeValue> image = newImage != null ? newImage : oldImage;
        change.setKeys(Map.of("domain", image.get("domain")));
        change.setOldImage(oldImage);
        change.setNewImage(newImage);
        change.setSequenceNumber(seq);
        r.setDynamodb(change);
        return r;
    }

    static Map<String, AttributeValue> image(String domain, String mode, String maxAge, String... extra) {
        Map<String, AttributeValue> m = new HashMap<>(Map.of("domain", s(domain), "mode", s(mode),
                "mx", new AttributeValue().withL(List.of(s("mail." + domain))), "max_age", new AttributeValue().withN(maxAge)));
        for (int i = 0; i < extra.length; i += 2) {
            m.put(extra[i], s(extra[i + 1]));
        }
        return m;
    }

    static DynamodbEvent event(DynamodbEvent.DynamodbStreamRecord... records) {
        DynamodbEvent e = new DynamodbEvent();
        e.setRecords(List.of(records));
        return e;
    }

    @Test
    void aPolicyChangeIsSyncedAndAStatusWriteIsNot() throws Exception {
        String zone = stack.zone("stream.example", "mail.stream.example");
        stack.store.putItem(Map.of("domain", "stream.example", "mode", "testing", "mx", List.of("mail.stream.example"),
                "max_age", new java.math.BigDecimal(86400)));
        DnsStreamHandler handler = new DnsStreamHandler(stack.sync);
        StreamsEventResponse r = handler.handleRequest(event(record("INSERT", "1", null,
                image("stream.example", "testing", "86400"))), null);
        assertEquals(List.of(), r.getBatchItemFailures());
        assertEquals(1, stack.stsTxt(zone, "stream.example").size());

        // the sync's own write-back arrives on the stream too: it must not cause another round
        int lists = stack.calls.getOrDefault("ListResourceRecordSets", new java.util.concurrent.atomic.AtomicInteger()).get();
        handler.handleRequest(event(record("MODIFY", "2", image("stream.example", "testing", "86400"),
                image("stream.example", "testing", "86400", "dns_status", "announced", "dns_id", "abc"))), null);
        assertEquals(lists, stack.calls.get("ListResourceRecordSets").get(), "no Route53 call for a status write");

        // the same max_age written as 86400.0 is the same policy
        handler.handleRequest(event(record("MODIFY", "3", image("stream.example", "testing", "86400"),
                image("stream.example", "testing", "86400.0"))), null);
        assertEquals(lists, stack.calls.get("ListResourceRecordSets").get());
    }

    @Test
    void aFailedSyncReportsItsRecordsForRetry() {
        DnsSync broken = new DnsSync(stack.store, new Zones(null), new dev.mtasts.store.Emf(s -> { },
                java.time.Clock.systemUTC()), java.time.Clock.systemUTC(), 300);
        StreamsEventResponse r = new DnsStreamHandler(broken).handleRequest(event(
                record("INSERT", "41", null, image("x.example", "none", "1")),
                record("MODIFY", "42", image("x.example", "none", "1"), image("x.example", "none", "2"))), null);
        assertEquals(List.of("41", "42"), r.getBatchItemFailures().stream()
                .map(StreamsEventResponse.BatchItemFailure::getItemIdentifier).toList());
    }

    static CloudFormationCustomResourceEvent cfn(String type, String domain, String physicalId) {
        return cfn(type, domain, physicalId, "announce");
    }

    static CloudFormationCustomResourceEvent cfn(String type, String domain, String physicalId, String stage) {
        CloudFormationCustomResourceEvent e = new CloudFormationCustomResourceEvent();
        e.setRequestType(type);
        e.setResponseUrl("http://127.0.0.1:" + cloudFormation.getAddress().getPort() + "/cfn-response?sig=x");
        e.setStackId("arn:aws:cloudformation:us-east-1:123456789012:stack/mta-sts/1a2b");
        e.setRequestId("req-" + type);
        e.setLogicalResourceId("DomainSetup" + domain.replace(".", ""));
        e.setResourceType("Custom::MtaStsDomain");
        e.setPhysicalResourceId(physicalId);
        e.setResourceProperties(Map.of("ServiceToken", "arn:aws:lambda:us-east-1:123456789012:function:setup",
                "Domain", domain, "HostedZoneId", "", "Stage", stage));
        return e;
    }

    static String[] answer() throws InterruptedException {
        String[] r = responses.poll(10, TimeUnit.SECONDS);
        assertTrue(r != null, "CloudFormation got no answer");
        return r;
    }

    @Test
    void theCustomResourceSeedsPublishesAndRemoves() throws Exception {
        String zone = stack.zone("setup.example", "mx1.setup.example", "mx2.setup.example");
        DomainResourceHandler handler = new DomainResourceHandler(stack.sync, stack.zones);

        // setup: the zone and a seeded row, nothing published yet (the policy host does not exist yet)
        assertEquals("SUCCESS", handler.handleRequest(cfn("Create", "setup.example", null, "setup"), null));
        assertTrue(answer()[2].contains("seeded a testing row from MX [mx1.setup.example, mx2.setup.example]"));
        assertEquals(List.of(), stack.stsTxt(zone, "setup.example"));

        // announce: created after the host's records
        assertEquals("SUCCESS", handler.handleRequest(cfn("Create", "setup.example", null), null));
        String[] created = answer();
        assertEquals("PUT", created[0]);
        assertEquals("", created[1] == null ? "" : created[1], "the pre-signed URL is signed for an empty Content-Type");
        assertTrue(created[2].contains("\"Status\":\"SUCCESS\"") && created[2].contains("\"PhysicalResourceId\":\"setup.example\"")
                && created[2].contains("\"Data\":{\"HostedZoneId\":\"" + zone + "\"}"), created[2]);
        Map<String, Object> seeded = stack.store.find(DomainName.parse("setup.example")).orElseThrow();
        assertEquals("testing", seeded.get("mode"));
        assertEquals(List.of("mx1.setup.example", "mx2.setup.example"), seeded.get("mx"));
        assertEquals(new java.math.BigDecimal(86400), seeded.get("max_age"));
        assertEquals(1, stack.stsTxt(zone, "setup.example").size());

        assertEquals("SUCCESS", handler.handleRequest(cfn("Update", "setup.example", "setup.example"), null));
        assertTrue(answer()[2].contains("\"Status\":\"SUCCESS\""));

        assertEquals("SUCCESS", handler.handleRequest(cfn("Delete", "setup.example", "setup.example"), null));
        assertTrue(answer()[2].contains("\"Status\":\"SUCCESS\""));
        assertEquals(List.of(), stack.stsTxt(zone, "setup.example"));
        // deleting the setup stage leaves DNS alone
        assertEquals("SUCCESS", handler.handleRequest(cfn("Delete", "setup.example", "setup.example", "setup"), null));
        assertTrue(answer()[2].contains("\"Status\":\"SUCCESS\""));
    }

    @Test
    void failuresAreAnsweredWithTheReason() throws Exception {
        DomainResourceHandler handler = new DomainResourceHandler(stack.sync, stack.zones);
        assertEquals("FAILED", handler.handleRequest(cfn("Create", "nozone.example", null), null));
        String body = answer()[2];
        assertTrue(body.contains("\"Status\":\"FAILED\"") && body.contains(
                "\"Reason\":\"no public Route53 hosted zone holds nozone.example; create it or pass HostedZoneId\""), body);

        stack.zone("nomx.example");
        assertEquals("FAILED", handler.handleRequest(cfn("Create", "nomx.example", null, "setup"), null));
        assertTrue(answer()[2].contains("zone nomx.example has no MX record for nomx.example"));

        // a Delete of something that was never created must not block the stack
        assertEquals("SUCCESS", handler.handleRequest(cfn("Delete", "nozone.example", "failed-req-Create"), null));
        assertTrue(answer()[2].contains("\"Status\":\"SUCCESS\""));
    }
}
