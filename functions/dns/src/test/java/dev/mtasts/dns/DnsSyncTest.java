package dev.mtasts.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Policy;
import dev.mtasts.policy.PolicyHandler;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RFC 8461 §3.1 and §8: the _mta-sts record follows the row, on moto_server's Route53 and DynamoDB Local. */
class DnsSyncTest {
    static DnsStack stack;

    @BeforeAll
    static void start() {
        stack = new DnsStack();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    static DomainName d(String s) throws Exception {
        return DomainName.parse(s);
    }

    static void put(String domain, String mode, long maxAge, String... mx) throws Exception {
        stack.store.put(new DomainRow(d(domain), Policy.of(mode, List.of(mx), Long.toString(maxAge))));
    }

    static Map<String, Object> row(String domain) throws Exception {
        return stack.store.find(d(domain)).orElseThrow();
    }

    /** What senders fetch: the body the policy function serves right now. */
    static String served(String domain) {
        return new PolicyHandler(stack.store).handleRequest(APIGatewayV2HTTPEvent.builder()
                .withRawPath("/.well-known/mta-sts.txt").withHeaders(Map.of("host", "mta-sts." + domain))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").build()).build())
                .build(), null).getBody();
    }

    @Test
    void theIdFollowsThePolicyOneChangeEachTimeAndNoneWhenNothingChanged() throws Exception {
        String zone = stack.zone("follow.example", "mail.follow.example", "backup.mx.follow.example");
        put("follow.example", "testing", 86400, "mail.follow.example", "*.mx.follow.example");

        int before = stack.changeCalls();
        List<DnsSync.Result> first = stack.sync.sync(List.of(d("follow.example")), null, false);
        assertEquals(DnsSync.Action.PUBLISHED, first.get(0).action());
        assertEquals(before + 1, stack.changeCalls());
        String id = Policy.parse(served("follow.example")).id();
        assertEquals(List.of("v=STSv1; id=" + id), stack.stsTxt(zone, "follow.example"));
        assertEquals("announced", row("follow.example").get("dns_status"));
        assertEquals(id, row("follow.example").get("dns_id"));

        // nothing changed: no Route53 change at all
        assertEquals(DnsSync.Action.UNCHANGED, stack.sync.sync(List.of(d("follow.example")), null, false).get(0).action());
        assertEquals(before + 1, stack.changeCalls());

        // §8.1: the body is served before the id that announces it is published
        put("follow.example", "enforce", 604800, "mail.follow.example", "*.mx.follow.example");
        String newBody = served("follow.example");
        assertEquals("v=STSv1; id=" + id, stack.stsTxt(zone, "follow.example").get(0), "DNS not yet changed");
        stack.sync.sync(List.of(d("follow.example")), null, false);
        assertEquals(List.of("v=STSv1; id=" + Policy.parse(newBody).id()), stack.stsTxt(zone, "follow.example"));
        assertEquals(before + 2, stack.changeCalls());
    }

    @Test
    void anEnforcePolicyMissingALiveMxIsNotAnnounced() throws Exception {
        String zone = stack.zone("guarded.example", "mail.guarded.example", "mx2.other.example");
        put("guarded.example", "testing", 86400, "mail.guarded.example");
        stack.sync.sync(List.of(d("guarded.example")), null, false);
        List<String> published = stack.stsTxt(zone, "guarded.example");

        put("guarded.example", "enforce", 604800, "mail.guarded.example");
        int before = stack.changeCalls();
        DnsSync.Result r = stack.sync.sync(List.of(d("guarded.example")), null, false).get(0);
        assertEquals(DnsSync.Action.REFUSED, r.action());
        assertTrue(r.detail().startsWith("enforce policy does not cover MX mx2.other.example"), r.detail());
        assertEquals(before, stack.changeCalls());
        assertEquals(published, stack.stsTxt(zone, "guarded.example"), "the previous id stays");
        // and so does the body it announces: a sender fetching now must not cache the refused enforce policy
        assertEquals("v=STSv1; id=" + Policy.parse(served("guarded.example")).id(), published.get(0));
        assertTrue(served("guarded.example").contains("mode: testing"));
        assertTrue(((String) row("guarded.example").get("dns_status")).startsWith("refused: enforce policy does not cover"));
        assertTrue(stack.metrics.stream().anyMatch(m -> m.contains("\"AnnouncementsRefused\":1")
                && m.contains("\"Domain\":\"guarded.example\"")), stack.metrics.toString());
    }

    @Test
    void anEnforcePolicyIsNotAnnouncedWhenTheZoneHasNoMxToCheck() throws Exception {
        String zone = stack.zone("nomx.example");
        put("nomx.example", "enforce", 604800, "mail.nomx.example");
        DnsSync.Result r = stack.sync.sync(List.of(d("nomx.example")), null, false).get(0);
        assertEquals(DnsSync.Action.REFUSED, r.action());
        assertEquals(List.of(), stack.stsTxt(zone, "nomx.example"));
    }

    @Test
    void anInvalidRowIsNeverAnnounced() throws Exception {
        String zone = stack.zone("broken.example", "mail.broken.example");
        stack.store.putItem(Map.of("domain", "broken.example", "mode", "Enforce", "mx", List.of("mail.broken.example"),
                "max_age", new java.math.BigDecimal(86400)));
        DnsSync.Result r = stack.sync.sync(List.of(d("broken.example")), null, false).get(0);
        assertEquals(DnsSync.Action.REFUSED, r.action());
        assertEquals(List.of(), stack.stsTxt(zone, "broken.example"));
    }

    @Test
    void deletingTheRowRemovesTheRecord() throws Exception {
        String zone = stack.zone("gone.example", "mail.gone.example");
        put("gone.example", "none", 86400);
        stack.sync.sync(List.of(d("gone.example")), null, false);
        assertEquals(1, stack.stsTxt(zone, "gone.example").size());
        stack.store.delete(d("gone.example"));
        assertEquals(DnsSync.Action.REMOVED, stack.sync.sync(List.of(d("gone.example")), null, false).get(0).action());
        assertEquals(List.of(), stack.stsTxt(zone, "gone.example"));
    }

    @Test
    void domainsOfOneZoneChangeInOneRequest() throws Exception {
        stack.zone("batch.example", "mail.batch.example");
        for (String sub : List.of("a", "b", "c")) {
            put(sub + ".batch.example", "none", 86400);
        }
        int before = stack.changeCalls();
        List<DnsSync.Result> results = stack.sync.sync(
                List.of(d("a.batch.example"), d("b.batch.example"), d("c.batch.example")), null, false);
        assertTrue(results.stream().allMatch(r -> r.action() == DnsSync.Action.PUBLISHED), results.toString());
        assertEquals(before + 1, stack.changeCalls());
    }

    /** Route53 requests per sync, by operation, once the zone is known (the zone cache lives per container). */
    @Test
    void route53RequestsPerSync() throws Exception {
        stack.zone("calls.example", "mail.calls.example");
        put("calls.example", "testing", 86400, "mail.calls.example");
        stack.sync.sync(List.of(d("calls.example")), null, false); // learns the zone

        assertEquals(Map.of("ListResourceRecordSets", 2, "ChangeResourceRecordSets", 1),
                callsDuring(() -> put("calls.example", "testing", 3600, "mail.calls.example")), "one policy change");
        assertEquals(Map.of("ListResourceRecordSets", 2), callsDuring(() -> { }), "nothing changed");

        // ten domains of one zone, all changed: the zone is read once and changed once
        String zone = stack.zone("many.example", "mail.many.example");
        List<DomainName> ten = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            put("d" + i + ".many.example", "none", 86400);
            ten.add(d("d" + i + ".many.example"));
        }
        stack.calls.clear();
        stack.sync.sync(ten, zone, false);
        assertEquals(1, stack.calls.get("ListResourceRecordSets").get());
        assertEquals(1, stack.changeCalls());
    }

    interface Step {
        void run() throws Exception;
    }

    private static Map<String, Integer> callsDuring(Step change) throws Exception {
        change.run();
        stack.calls.clear();
        stack.sync.sync(List.of(d("calls.example")), null, false);
        Map<String, Integer> counts = new java.util.TreeMap<>();
        stack.calls.forEach((op, n) -> counts.put(op, n.get()));
        return counts;
    }

    @Test
    void aDryRunChangesNothing() throws Exception {
        String zone = stack.zone("dry.example", "mail.dry.example");
        put("dry.example", "testing", 86400, "mail.dry.example");
        int before = stack.changeCalls();
        assertEquals(DnsSync.Action.PUBLISHED, stack.sync.sync(List.of(d("dry.example")), null, true).get(0).action());
        assertEquals(before, stack.changeCalls());
        assertEquals(List.of(), stack.stsTxt(zone, "dry.example"));
    }

    @Test
    void aDomainWithoutAZoneIsReported() throws Exception {
        put("nozone.invalid-tld-example", "none", 86400);
        assertEquals(DnsSync.Action.NO_ZONE,
                stack.sync.sync(List.of(d("nozone.invalid-tld-example")), null, false).get(0).action());
    }
}
