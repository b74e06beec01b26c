package dev.mtasts.lifecycle;

import static dev.mtasts.lifecycle.LifecycleStack.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Policy;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * The row is the user's wish; what the stack made, wrote and announced is its own state, which no write to the
 * domains table reaches. Each case is what a careless user (an {@code aws dynamodb put-item}, a delete) or the world
 * (another host's record, AWS's quotas, a zone made again) does, on DynamoDB Local and moto_server.
 */
class StackStateTest {
    static LifecycleStack stack;

    @BeforeAll
    static void start() throws IOException {
        stack = new LifecycleStack();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    static Policy policy(String mode, List<String> mx, long maxAge) throws Exception {
        return Policy.of(mode, mx, Long.toString(maxAge));
    }

    /** A row as the aws CLI's put-item writes it: the whole item, nothing else on it. */
    static Map<String, Object> item(String domain, Policy p) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put(DomainRow.DOMAIN, domain);
        item.put(DomainRow.MODE, p.mode().text());
        item.put(DomainRow.MX, p.mx().stream().map(Object::toString).toList());
        item.put(DomainRow.MAX_AGE, BigDecimal.valueOf(p.maxAge()));
        return item;
    }

    /** A domain brought to ready with this policy; returns its zone. */
    static String ready(String domain, Policy p, String... mx) throws Exception {
        String zone = stack.zone(domain, mx);
        stack.store.putItem(item(domain, p));
        DomainLifecycle.Report r = stack.advance(domain);
        assertTrue(r.ready(), r.toString());
        return zone;
    }

    /**
     * 1. The README's own recipe: a put-item of an enforce row that misses a live MX host, for a ready enforce domain.
     * Senders keep getting the announced policy, never a 404, before and after the stack refuses the new one, and
     * the refusal says what is announced.
     */
    @Test
    void aPutItemOfARefusedEnforcePolicyKeepsTheAnnouncedOneServed() throws Exception {
        Policy announced = policy("enforce", List.of("mail.put.example", "backup.put.example"), 604800);
        String zone = ready("put.example", announced, "mail.put.example", "backup.put.example");
        assertEquals("200 " + announced.render(), stack.served("put.example"));

        Policy missing = policy("enforce", List.of("mail.put.example"), 604800);
        stack.store.putItem(item("put.example", missing));
        assertEquals("200 " + announced.render(), stack.served("put.example"), "before the stack has looked");
        DomainLifecycle.Report r = stack.advance("put.example");
        assertEquals("blocked", r.state(), r.toString());
        assertTrue(r.detail().contains("senders keep the announced policy (id " + announced.id() + ")"), r.detail());
        assertEquals("200 " + announced.render(), stack.served("put.example"), "after the refusal");
        assertEquals(Map.of("TXT", "\"v=STSv1; id=" + announced.id() + "\""), stack.at(zone, "_mta-sts.put.example"));

        // whatever else the row becomes, the announced body is what the published id stands for
        stack.store.putItem(Map.of(DomainRow.DOMAIN, "put.example", DomainRow.MODE, "Enforce"));
        assertEquals("200 " + announced.render(), stack.served("put.example"), "an invalid row");
        stack.store.putItem(Map.of(DomainRow.DOMAIN, "put.example"));
        assertEquals("200 " + announced.render(), stack.served("put.example"), "a row emptied");
        stack.store.putItem(item("put.example", announced));
        assertTrue(stack.advance("put.example").ready());
    }

    /** A row deleted directly: the announced policy is served until _mta-sts is withdrawn, then everything goes. */
    @Test
    void aRowDeletedDirectlyIsTakenDownFromTheStacksOwnState() throws Exception {
        Policy testing = policy("testing", List.of("mail.gone.example"), 86400);
        String zone = ready("gone.example", testing, "mail.gone.example");
        stack.store.delete(name("gone.example"));
        assertEquals("200 " + testing.render(), stack.served("gone.example"), "announced: still served");

        // no stream record at all (lost, or older than the stream keeps): the schedule finds the state without a row
        LifecycleScheduleHandler schedule = new LifecycleScheduleHandler(stack.store, new Runner(stack.lifecycle, stack.clock),
                stack.clock);
        schedule.handleRequest(Map.of(), null);
        assertEquals(List.of("gone.example MX 10 mail.gone.example."), stack.records(zone), "only the user's MX is left");
        assertTrue(stack.certificates("mta-sts.gone.example").isEmpty());
        assertFalse(stack.customDomainNames().contains("mta-sts.gone.example"));
        assertTrue(stack.state.find(name("gone.example")).isEmpty(), "and the state goes last");
        assertTrue(stack.served("gone.example").startsWith("404 "));
    }

    /**
     * 2. Another host's _mta-sts whose id looks like one of the stack's (32 hex digits, an MD5) is the stack's only
     * if the stack wrote exactly that value: a retirement does not overwrite it, a removal does not delete it.
     */
    @Test
    void anotherHostsRecordWithAnIdShapedLikeOursIsNeverOverwrittenNorDeleted() throws Exception {
        String zone = ready("md5.example", policy("testing", List.of("mail.md5.example"), 86400), "mail.md5.example");
        String theirs = "\"v=STSv1; id=0cc175b9c0f1b6a831c399e269772661\"";
        stack.record(zone, "_mta-sts.md5.example", RRType.TXT, theirs);

        stack.store.put(new DomainRow(name("md5.example"), policy("none", List.of(), 86400))); // domain retire
        DomainLifecycle.Report retired = stack.advance("md5.example");
        assertEquals("blocked", retired.state(), retired.toString());
        assertTrue(retired.detail().contains("0cc175b9c0f1b6a831c399e269772661"), retired.detail());
        assertEquals(Map.of("TXT", theirs), stack.at(zone, "_mta-sts.md5.example"), "not overwritten");

        stack.store.setWish(name("md5.example"), DomainRow.REMOVE_REQUESTED, "2026-12-01T12:00:00Z"); // domain remove
        DomainLifecycle.Report removed = stack.advance("md5.example");
        assertEquals("removed", removed.state(), removed.toString());
        assertEquals(Map.of("TXT", theirs), stack.at(zone, "_mta-sts.md5.example"), "not deleted");
        assertFalse(stack.customDomainNames().contains("mta-sts.md5.example"), "what was the stack's is gone");
    }

    static software.amazon.awssdk.core.exception.SdkException apiGateway(int status, String code, String message) {
        return software.amazon.awssdk.services.apigatewayv2.model.ApiGatewayV2Exception.builder().statusCode(status)
                .message(message).awsErrorDetails(AwsErrorDetails.builder().serviceName("ApiGatewayV2").errorCode(code)
                        .errorMessage(message).build()).build();
    }

    /**
     * 6. API Gateway limiting the rate of new custom domains: the domain backs off, again and again, past the count
     * of failures that blocks a domain, and is never called blocked for it; it carries on once AWS does.
     */
    @Test
    void tooManyRequestsBacksOffWithoutBurningAttempts() throws Exception {
        stack.zone("rate.example", "mail.rate.example");
        stack.store.add(name("rate.example"));
        AtomicInteger refused = new AtomicInteger();
        stack.faults.put("ApiGatewayV2 CreateDomainName", () -> {
            refused.incrementAndGet();
            return apiGateway(429, "TooManyRequestsException", "Too Many Requests");
        });
        try {
            for (int i = 0; i < DomainLifecycle.BLOCK_AFTER + 3; i++) {
                DomainLifecycle.Report r = stack.advance("rate.example");
                Lifecycle lc = stack.lifecycleOf("rate.example");
                assertEquals("custom-domain", r.state(), r.toString());
                assertTrue(r.detail().contains("limiting the rate of requests (TooManyRequestsException)"), r.detail());
                assertEquals(0, lc.attempts(), "not counted as a failure");
                assertFalse(stack.lifecycle.due(stack.view("rate.example"), stack.clock.instant()), "backing off");
                assertTrue(lc.retryAt().isAfter(stack.clock.instant().plus(DomainLifecycle.THROTTLE_BACKOFF).minusSeconds(1)));
                stack.clock.advance(DomainLifecycle.THROTTLE_BACKOFF.multipliedBy(2));
            }
        } finally {
            stack.faults.clear();
        }
        assertEquals(DomainLifecycle.BLOCK_AFTER + 3, refused.get());
        assertTrue(stack.advance("rate.example").ready());
    }

    /**
     * 6. The account's custom domains are all used: the domain blocks with the quota's name and how to raise it,
     * without burning attempts, is looked at again after a while, and carries on once there is room.
     */
    @Test
    void aQuotaReachedBlocksNamingItAndHowToRaiseIt() throws Exception {
        stack.zone("quota.example", "mail.quota.example");
        stack.store.add(name("quota.example"));
        stack.faults.put("ApiGatewayV2 CreateDomainName", () -> apiGateway(429, "TooManyRequestsException",
                "Exceeded the maximum number of custom domain names for this account"));
        DomainLifecycle.Report r;
        try {
            r = stack.advance("quota.example");
            assertEquals("blocked", r.state(), r.toString());
            assertTrue(r.detail().contains("Service Quotas: API Gateway \"Custom domains per account\""), r.detail());
            Lifecycle lc = stack.lifecycleOf("quota.example");
            assertEquals(0, lc.attempts());
            assertEquals(stack.clock.instant().plus(DomainLifecycle.QUOTA_LOOK_AGAIN), lc.retryAt());
            assertTrue(stack.metrics.stream().anyMatch(m -> m.contains("DomainsBlocked") && m.contains("quota.example")));
            stack.clock.advance(Steps.LOOK_AGAIN.plusSeconds(1));
            assertFalse(stack.lifecycle.due(stack.view("quota.example"), stack.clock.instant()), "not every 15 minutes");
        } finally {
            stack.faults.clear();
        }
        stack.clock.advance(DomainLifecycle.QUOTA_LOOK_AGAIN);
        assertTrue(stack.lifecycle.due(stack.view("quota.example"), stack.clock.instant()));
        assertTrue(stack.advance("quota.example").ready());
    }

    /** 6. ACM's certificate quota, the same way. */
    @Test
    void anAcmQuotaReachedNamesTheAcmQuota() throws Exception {
        stack.zone("certs.example", "mail.certs.example");
        stack.store.add(name("certs.example"));
        stack.faults.put("Acm RequestCertificate", () -> software.amazon.awssdk.services.acm.model.LimitExceededException
                .builder().statusCode(400).message("Error: you have reached your limit of 2500 certificates")
                .awsErrorDetails(AwsErrorDetails.builder().serviceName("ACM").errorCode("LimitExceededException")
                        .errorMessage("Error: you have reached your limit of 2500 certificates").build()).build());
        try {
            DomainLifecycle.Report r = stack.advance("certs.example");
            assertEquals("blocked", r.state(), r.toString());
            assertTrue(r.detail().contains("Service Quotas: AWS Certificate Manager (ACM) \"ACM certificates\""), r.detail());
        } finally {
            stack.faults.clear();
        }
    }

    /**
     * 7. The zone a domain was set up in is deleted and made again (a new id): the domain is not stuck on the old
     * id; the zone is found again and every record made again in it.
     */
    @Test
    void aHostedZoneDeletedAndMadeAgainIsFoundAgain() throws Exception {
        String old = stack.zone("again.example", "mail.again.example", "backup.again.example");
        stack.store.putItem(item("again.example", policy("enforce", List.of("mail.again.example"), 604800)));
        DomainLifecycle.Report refused = stack.advance("again.example");
        assertEquals("blocked", refused.state(), "the enforce policy misses backup.again.example: " + refused);

        // the user starts the zone over (the registrar's delegation follows), this time without the backup MX
        for (ResourceRecordSet set : stack.route53.listResourceRecordSetsPaginator(r -> r.hostedZoneId(old)).resourceRecordSets()) {
            if (set.type() != RRType.SOA && set.type() != RRType.NS) {
                stack.change(old, Change.builder().action(ChangeAction.DELETE).resourceRecordSet(set).build());
            }
        }
        stack.route53.deleteHostedZone(r -> r.id(old));
        String made = stack.zone("again.example", "mail.again.example");
        stack.clock.advance(Steps.LOOK_AGAIN.plusSeconds(1));
        DomainLifecycle.Report r = stack.advance("again.example");
        assertTrue(r.ready(), r.toString());
        Lifecycle lc = stack.lifecycleOf("again.example");
        assertEquals(made, lc.zoneId());
        assertTrue(stack.at(made, "_mta-sts.again.example").get("TXT").contains(lc.announced().id()));
        assertEquals(2, stack.at(made, "mta-sts.again.example").size(), "A and AAAA: " + stack.records(made));
        assertTrue(stack.records(made).stream().anyMatch(s -> s.startsWith(lc.validation().split(" ")[0] + " CNAME")),
                "the certificate's validation record is made again too: " + stack.records(made));
        assertEquals(1, stack.certificates("mta-sts.again.example").size(), "the certificate is kept");
    }

    /**
     * Rows written by the earlier version carry the stack's state in {@code lifecycle} (and {@code check}): it is
     * served from there until the stack first sees the row, then moved into the state table and taken off the row,
     * with nothing made again.
     */
    @Test
    void aRowOfTheEarlierVersionIsMovedOnFirstSight() throws Exception {
        Policy enforce = policy("enforce", List.of("mail.legacy.example"), 604800);
        String zone = ready("legacy.example", enforce, "mail.legacy.example");
        Lifecycle was = stack.lifecycleOf("legacy.example");
        // as the earlier version left it: its state on the row, no state table item
        Map<String, Object> legacy = new LinkedHashMap<>(item("legacy.example", enforce));
        legacy.put(Lifecycle.ATTRIBUTE, was.toPlain());
        legacy.put("check", Map.of("status", "ok", "at", "2026-11-30T10:00:00Z", "failures", List.of()));
        stack.state.deleteKey("legacy.example");
        stack.store.putItem(legacy);
        assertEquals("200 " + enforce.render(), stack.served("legacy.example"), "served from the row until moved");

        stack.takeCalls();
        List<String> records = stack.records(zone);
        LifecycleScheduleHandler schedule = new LifecycleScheduleHandler(stack.store, new Runner(stack.lifecycle, stack.clock),
                stack.clock);
        assertTrue(stack.lifecycle.due(stack.view("legacy.example"), stack.clock.instant()), "first sight");
        schedule.handleRequest(Map.of(), null);
        // looked at again from the first step: everything found as the stack made it, the announcement carried over
        Lifecycle now = stack.lifecycleOf("legacy.example");
        assertEquals(Lifecycle.Step.READY, now.step(), now.toString());
        assertEquals(was.announced(), now.announced());
        assertEquals(was.certificateArn(), now.certificateArn());
        assertEquals(was.zoneId(), now.zoneId());
        assertEquals("ok", ((Map<?, ?>) stack.view("legacy.example").check()).get("status"));
        Map<String, Object> row = stack.store.find(name("legacy.example")).orElseThrow();
        assertFalse(row.containsKey(Lifecycle.ATTRIBUTE) || row.containsKey("check"), "taken off the row: " + row);
        Map<String, ?> calls = stack.takeCalls();
        assertTrue(calls.keySet().stream().noneMatch(c -> c.contains("Create") || c.contains("Request")),
                "nothing made again: " + calls);
        assertEquals(records, stack.records(zone), "every record as it was (looked at again, UPSERTed as it was)");
        assertEquals("200 " + enforce.render(), stack.served("legacy.example"));
        assertEquals(Map.of("TXT", "\"v=STSv1; id=" + enforce.id() + "\""), stack.at(zone, "_mta-sts.legacy.example"));

        // a row of the earlier version deleted directly: its last image is the only record of what was made
        Map<String, Object> again = new LinkedHashMap<>(legacy);
        stack.state.deleteKey("legacy.example");
        stack.store.putItem(again);
        stack.store.delete(name("legacy.example"));
        new LifecycleStreamHandler(new Runner(stack.lifecycle, stack.clock)).handleRequest(remove(again), null);
        assertEquals(List.of("legacy.example MX 10 mail.legacy.example."), stack.records(zone));
        assertTrue(stack.certificates("mta-sts.legacy.example").isEmpty());
        assertNull(stack.state.find(name("legacy.example")).orElse(null));
    }

    /**
     * A lifecycle in a row is what an earlier version kept there, and what anyone who can write the table can write: a
     * put-item naming another host's _mta-sts and _smtp._tls values as "the stack's" makes the stack take over none of
     * them, and a removal leaves them in place.
     */
    @Test
    void aLifecycleWrittenIntoARowMakesNoOtherHostsRecordTheStacks() throws Exception {
        String zone = stack.zone("forged.example", "mail.forged.example");
        String theirs = "\"v=STSv1; id=20240101T000000\"";
        String theirReports = "\"v=TLSRPTv1; rua=mailto:tls@other.example\"";
        stack.record(zone, "_mta-sts.forged.example", RRType.TXT, theirs);
        stack.record(zone, "_smtp._tls.forged.example", RRType.TXT, theirReports);
        Map<String, Object> row = new LinkedHashMap<>(item("forged.example", policy("testing",
                List.of("mail.forged.example"), 86400)));
        Map<String, Object> lc = new LinkedHashMap<>();
        lc.put("step", "ready");
        lc.put("zone_id", zone);
        lc.put("zone_name", "forged.example");
        lc.put("announced", Map.of("id", "20240101T000000", "policy", "anything"));
        lc.put("reporting", "v=TLSRPTv1; rua=mailto:tls@other.example");
        row.put(Lifecycle.ATTRIBUTE, lc);
        row.put(DomainRow.REMOVE_REQUESTED, "2026-12-01T12:00:00Z");
        stack.store.putItem(row); // one aws dynamodb put-item
        assertFalse(stack.served("forged.example").contains("anything"), "a body no stack announced is not served");
        DomainLifecycle.Report r = stack.advance("forged.example");
        assertEquals(Map.of("TXT", theirs), stack.at(zone, "_mta-sts.forged.example"), "run: " + r);
        assertEquals(Map.of("TXT", theirReports), stack.at(zone, "_smtp._tls.forged.example"), "run: " + r);

        // a self-consistent announcement (a valid policy under its own id) that DNS does not announce: not taken over
        Policy enforce = policy("enforce", List.of("elsewhere.example"), 604800);
        stack.record(zone, "_mta-sts.forged.example", RRType.TXT, theirs);
        Map<String, Object> again = new LinkedHashMap<>(item("forged.example", policy("testing",
                List.of("mail.forged.example"), 86400)));
        again.put(Lifecycle.ATTRIBUTE, Map.of("step", "ready", "announced", Map.of("id", enforce.id(), "policy",
                enforce.render())));
        stack.state.deleteKey("forged.example");
        stack.store.putItem(again);
        stack.advance("forged.example");
        assertNull(stack.lifecycleOf("forged.example").announced(), "announced only by DNS");
        assertEquals(Map.of("TXT", theirs), stack.at(zone, "_mta-sts.forged.example"));
    }

    static DynamodbEvent remove(Map<String, Object> oldImage) {
        DynamodbEvent.DynamodbStreamRecord r = new DynamodbEvent.DynamodbStreamRecord();
        r.setEventName("REMOVE");
        StreamRecord change = new StreamRecord();
        var image = StreamImagesTest.toStream(oldImage);
        change.setKeys(Map.of("domain", image.get("domain")));
        change.setOldImage(image);
        change.setSequenceNumber("1");
        r.setDynamodb(change);
        DynamodbEvent e = new DynamodbEvent();
        e.setRecords(List.of(r));
        return e;
    }

    /** A put-item wipes nothing the stack needs: a removal after one still finds and takes down everything. */
    @Test
    void aRemovalAfterAPutItemTakesDownEverything() throws Exception {
        Policy testing = policy("testing", List.of("mail.after.example"), 86400);
        String zone = ready("after.example", testing, "mail.after.example");
        stack.store.putItem(item("after.example", testing)); // the whole item again, as the aws CLI writes it
        stack.store.setWish(name("after.example"), DomainRow.REMOVE_REQUESTED, "2026-12-01T12:00:00Z");
        assertEquals("removed", stack.advance("after.example").state());
        assertEquals(List.of("after.example MX 10 mail.after.example."), stack.records(zone));
        assertTrue(stack.certificates("mta-sts.after.example").isEmpty());
        assertFalse(stack.customDomainNames().contains("mta-sts.after.example"));
    }

    /**
     * A certificate carrying the stack's tag is still not the stack's when it is for more names than the policy
     * host: it is neither used nor deleted (tagging a certificate of the account gains no way to delete it).
     */
    @Test
    void aTaggedCertificateForMoreNamesIsNeitherUsedNorDeleted() throws Exception {
        String foreign = stack.acm.requestCertificate(r -> r.domainName("mta-sts.multi.example")
                .subjectAlternativeNames("mta-sts.multi.example", "www.multi.example")
                .validationMethod(software.amazon.awssdk.services.acm.model.ValidationMethod.DNS)
                .tags(software.amazon.awssdk.services.acm.model.Tag.builder().key(Certificates.TAG).value("mta-sts").build()))
                .certificateArn();
        ready("multi.example", policy("testing", List.of("mail.multi.example"), 86400), "mail.multi.example");
        assertFalse(foreign.equals(stack.lifecycleOf("multi.example").certificateArn()), "not used");
        stack.store.setWish(name("multi.example"), DomainRow.REMOVE_REQUESTED, "2026-12-01T12:00:00Z");
        assertEquals("removed", stack.advance("multi.example").state());
        assertEquals(List.of(foreign), stack.certificates("mta-sts.multi.example").stream()
                .map(c -> c.certificateArn()).toList(), "not deleted; the stack's own is");
    }

    /**
     * A custom domain an earlier version made carries no tag, so the role may not delete it: the removal blocks
     * saying what to do, and carries on once the user has done it.
     */
    @Test
    void anUntaggedCustomDomainOfAnEarlierVersionBlocksTheRemovalSayingWhatToDo() throws Exception {
        String zone = stack.zone("untagged.example", "mail.untagged.example");
        String cert = stack.certificates.request(name("untagged.example"));
        stack.api.createDomainName(r -> r.domainName("mta-sts.untagged.example").domainNameConfigurations(
                software.amazon.awssdk.services.apigatewayv2.model.DomainNameConfiguration.builder().certificateArn(cert)
                        .endpointType("REGIONAL").build()));
        stack.api.createApiMapping(r -> r.domainName("mta-sts.untagged.example").apiId(stack.apiId).stage("$default"));
        stack.store.putItem(item("untagged.example", policy("testing", List.of("mail.untagged.example"), 86400)));
        assertTrue(stack.advance("untagged.example").ready(), "mapped to the stack's API: the stack's");
        stack.store.setWish(name("untagged.example"), DomainRow.REMOVE_REQUESTED, "2026-12-01T12:00:00Z");
        DomainLifecycle.Report r = stack.advance("untagged.example");
        assertEquals("blocked", r.state(), r.toString());
        assertTrue(r.detail().contains("aws apigatewayv2 delete-domain-name --domain-name mta-sts.untagged.example")
                && r.detail().contains("tag-resource"), r.detail());
        assertTrue(stack.customDomainNames().contains("mta-sts.untagged.example"));

        stack.api.deleteDomainName(d -> d.domainName("mta-sts.untagged.example")); // as the message says
        stack.clock.advance(Steps.LOOK_AGAIN.plusSeconds(1));
        assertEquals("removed", stack.advance("untagged.example").state());
        assertEquals(List.of("untagged.example MX 10 mail.untagged.example."), stack.records(zone));
    }
}
