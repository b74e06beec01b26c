package dev.mtasts.lifecycle;

import static dev.mtasts.lifecycle.LifecycleStack.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.Delegation;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Lifecycle.Step;
import dev.mtasts.core.Policy;
import dev.mtasts.sender.Dns;
import dev.mtasts.sender.DnsServer;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.model.HostedZone;

/**
 * Domains whose DNS is not in Route53 (RFC 8461 §8.2): the user publishes four CNAMEs once at the domain's own DNS
 * host (an in-process DNS server here, answering the lifecycle's public look-ups); the stack keeps everything behind
 * them under its delegation zone (moto_server's Route53) and writes nowhere else. Missing, partial, wrong and complete
 * CNAMEs; another host's TXT at {@code _mta-sts}; MX records as public DNS answers them; removal.
 */
class DelegationTest {
    static final String ZONE = "mta-sts.provider.example";
    static LifecycleStack stack;
    static DnsServer dns;
    static DomainLifecycle lifecycle;
    static String zoneId;

    @BeforeAll
    static void start() throws Exception {
        stack = new LifecycleStack();
        zoneId = stack.zone(ZONE);
        dns = new DnsServer();
        lifecycle = stack.lifecycle.withDelegation(ZONE, Dns.server(dns.address(), Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stop() {
        dns.close();
        stack.close();
    }

    static DomainLifecycle.Report advance(String domain) {
        return lifecycle.advance(name(domain), stack.clock.instant().plus(Duration.ofMinutes(5)));
    }

    static void addRow(String domain, String mode, List<String> mx) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("domain", domain);
        row.put("dns", "delegated");
        if (mode != null) {
            row.put("mode", mode);
            row.put("mx", mx);
            row.put("max_age", new BigDecimal(604800));
        }
        stack.store.putItem(row);
    }

    /** The four CNAMEs as the stack asks for them, published at the domain's DNS host. */
    static List<Delegation.Cname> publish(String domain) {
        Lifecycle lc = stack.lifecycleOf(domain);
        List<Delegation.Cname> cnames = new Delegation(name(domain), ZONE).cnames(lc.validation());
        cnames.forEach(c -> dns.add(c.name() + ". 300 IN CNAME " + c.target() + "."));
        return cnames;
    }

    /** The records of one domain under the delegation zone (the tests share the zone). */
    static List<String> under(String domain) {
        return stack.records(zoneId).stream().filter(r -> r.split(" ")[0].endsWith(domain + "." + ZONE)).toList();
    }

    /** Every record of every zone of the account except the delegation zone: the stack must never write there. */
    static Map<String, List<String>> elsewhere() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (HostedZone z : stack.route53.listHostedZonesPaginator(r -> { }).hostedZones()) {
            String id = z.id().replace("/hostedzone/", "");
            if (!id.equals(zoneId)) {
                out.put(z.name() + " " + id, stack.records(id));
            }
        }
        return out;
    }

    @Test
    void fourCnamesPublishedOnceThenEverythingBehindThemUnderTheDelegationZoneOnly() throws Exception {
        String d = "onboard.example";
        // a Route53 zone of the same name in the account (an old one): a delegated domain's records never go there
        String decoy = stack.zone(d, "old-mx.onboard.example");
        dns.add(d + ". 300 IN MX 10 mail.onboard.example.");
        Map<String, List<String>> before = elsewhere();
        addRow(d, "enforce", List.of("mail.onboard.example"));

        DomainLifecycle.Report r = advance(d);
        Lifecycle lc = stack.lifecycleOf(d);
        assertEquals("blocked", r.state(), r.toString());
        assertEquals(Step.DELEGATION, lc.step());
        assertEquals(ZONE, lc.delegation());
        assertNotNull(lc.validation(), "the certificate is requested first: its validation record is the fourth CNAME");
        assertEquals(1, stack.certificates("mta-sts." + d).size());
        List<Delegation.Cname> cnames = new Delegation(name(d), ZONE).cnames(lc.validation());
        assertEquals(4, cnames.size());
        for (Delegation.Cname c : cnames) {
            String line = Delegation.zoneLine(c, c.name().length() + 1) + " (public DNS has no such name)";
            assertTrue(r.detail().contains(line), "the exact record missing is named: " + line + " in " + r.detail());
        }
        assertTrue(r.detail().contains("these 4 records"), r.detail());
        assertEquals(Duration.ofMinutes(5), Duration.between(stack.clock.instant(), lc.retryAt()), "looked at again in minutes");
        assertEquals(List.of(), under(d), "nothing is written before the CNAMEs are there");
        assertEquals("404 ", stack.served(d).substring(0, 4), "an enforce policy not checked is not served");

        // three of four, and a TXT of another host at _mta-sts instead of the CNAME
        for (Delegation.Cname c : cnames) {
            if (c.name().startsWith("_mta-sts.")) {
                dns.add(c.name() + ". 300 IN TXT \"v=STSv1; id=another1\"");
            } else {
                dns.add(c.name() + ". 300 IN CNAME " + c.target() + ".");
            }
        }
        stack.clock.advance(Duration.ofMinutes(5));
        r = advance(d);
        assertEquals("blocked", r.state(), r.toString());
        assertTrue(r.detail().contains("this record: _mta-sts.onboard.example.  CNAME  _mta-sts.onboard.example."
                + ZONE + ". (public DNS has: TXT \"v=STSv1; id=another1\" instead of the CNAME)"), r.detail());
        assertFalse(r.detail().contains("mta-sts.onboard.example.  CNAME  onboard.example."), r.detail());

        // the CNAME published, but the policy host's points at another provider
        dns.remove("_mta-sts." + d, "TXT").add("_mta-sts." + d + ". 300 IN CNAME _mta-sts." + d + "." + ZONE + ".");
        dns.remove("mta-sts." + d, "CNAME").add("mta-sts." + d + ". 300 IN CNAME mta-sts.elsewhere.example.");
        stack.clock.advance(Duration.ofMinutes(61));
        r = advance(d);
        assertTrue(r.detail().contains("mta-sts.onboard.example.  CNAME  onboard.example." + ZONE
                + ". (public DNS has: CNAME mta-sts.elsewhere.example, another target)"), r.detail());
        assertEquals(Duration.ofMinutes(15), Duration.between(stack.clock.instant(), stack.lifecycleOf(d).retryAt()),
                "after the first hour, every 15 minutes");
        assertEquals(List.of(), under(d));

        // complete: certificate, custom domain, records under the zone, MX from public DNS, live, announced
        dns.remove("mta-sts." + d, "CNAME").add("mta-sts." + d + ". 300 IN CNAME " + d + "." + ZONE + ".");
        stack.clock.advance(Duration.ofMinutes(15));
        r = advance(d);
        assertTrue(r.ready(), r.toString());
        Policy p = DomainRow.parse(stack.store.find(name(d)).orElseThrow()).policy();
        String target = stack.customDomains.find(name(d)).orElseThrow().target().split(" ")[0];
        assertEquals(Map.of("A", "alias " + target, "AAAA", "alias " + target), stack.at(zoneId, d + "." + ZONE));
        assertEquals(Map.of("TXT", "\"v=STSv1; id=" + p.id() + "\""), stack.at(zoneId, "_mta-sts." + d + "." + ZONE));
        assertEquals(Map.of("TXT", "\"v=TLSRPTv1; rua=https://mta-sts.onboard.example/v1/tlsrpt,mailto:tlsrpt@example.net\""),
                stack.at(zoneId, "_smtp._tls." + d + "." + ZONE));
        assertEquals(4, under(d).size(), under(d).toString());
        assertEquals(before, elsewhere(), "nothing written outside the delegation zone");
        assertTrue(stack.records(decoy).contains(d + " MX 10 old-mx.onboard.example."));

        // a new enforce policy that misses an MX host public DNS answers is never announced
        dns.add(d + ". 300 IN MX 20 backup.onboard.example.");
        stack.store.putItem(Map.of("domain", d, "dns", "delegated", "mode", "enforce", "mx", List.of("mail.onboard.example"),
                "max_age", new BigDecimal(1209600)));
        r = advance(d);
        assertEquals("blocked", r.state(), r.toString());
        assertTrue(r.detail().contains("backup.onboard.example"), r.detail());
        assertEquals(Map.of("TXT", "\"v=STSv1; id=" + p.id() + "\""), stack.at(zoneId, "_mta-sts." + d + "." + ZONE),
                "the id senders see is still the one announced");
        assertTrue(stack.served(d).contains("max_age: 604800"), "the announced policy is still served");

        // covered now; but someone replaced the _mta-sts CNAME by a TXT of another host: blocked, the record shown
        dns.remove("_mta-sts." + d, "CNAME").add("_mta-sts." + d + ". 300 IN TXT \"v=STSv1; id=another2\"");
        stack.store.putItem(Map.of("domain", d, "dns", "delegated", "mode", "enforce",
                "mx", List.of("mail.onboard.example", "backup.onboard.example"), "max_age", new BigDecimal(1209600)));
        r = advance(d);
        assertEquals("blocked", r.state(), r.toString());
        assertEquals(Step.ANNOUNCE, stack.lifecycleOf(d).step());
        assertTrue(r.detail().contains("not announced: _mta-sts.onboard.example in public DNS is not the stack's CNAME"),
                r.detail());
        assertTrue(r.detail().contains("TXT \"v=STSv1; id=another2\""), r.detail());
        assertEquals(Map.of("TXT", "\"v=STSv1; id=" + p.id() + "\""), stack.at(zoneId, "_mta-sts." + d + "." + ZONE));

        dns.remove("_mta-sts." + d, "TXT").add("_mta-sts." + d + ". 300 IN CNAME _mta-sts." + d + "." + ZONE + ".");
        stack.clock.advance(Duration.ofMinutes(5));
        r = advance(d);
        assertTrue(r.ready(), r.toString());
        Policy covering = DomainRow.parse(stack.store.find(name(d)).orElseThrow()).policy();
        assertEquals(Map.of("TXT", "\"v=STSv1; id=" + covering.id() + "\""), stack.at(zoneId, "_mta-sts." + d + "." + ZONE));

        // removed: everything under the delegation zone goes, the certificate and custom domain too
        stack.store.setWish(name(d), DomainRow.REMOVE_REQUESTED, "2026-12-01T12:00:00Z");
        r = advance(d);
        assertEquals("removed", r.state(), r.toString());
        assertEquals(List.of(), under(d));
        assertEquals(List.of(), stack.certificates("mta-sts." + d));
        assertFalse(stack.customDomainNames().contains("mta-sts." + d));
        assertEquals(before, elsewhere(), "nothing written outside the delegation zone, removal included");
    }

    @Test
    void aSeededPolicyComesFromTheMxRecordsPublicDnsAnswers() throws Exception {
        String d = "seeded.example";
        dns.add(d + ". 300 IN MX 10 in1.mailhost.example.").add(d + ". 300 IN MX 20 in2.mailhost.example.");
        addRow(d, null, null);
        advance(d);
        publish(d);
        stack.clock.advance(Duration.ofMinutes(5));
        DomainLifecycle.Report r = advance(d);
        assertTrue(r.ready(), r.toString());
        Policy p = DomainRow.parse(stack.store.find(name(d)).orElseThrow()).policy();
        assertEquals("testing", p.mode().text());
        assertEquals(List.of("in1.mailhost.example", "in2.mailhost.example"), p.mx().stream().map(Object::toString).toList());
        assertNull(stack.lifecycleOf(d).move());
        assertNull(stack.lifecycleOf(d).seeded(), "it does not follow MX records: they are not in a zone the stack reads");
    }

    @Test
    void withoutADelegationZoneADelegatedRowIsBlockedAndNothingIsMade() throws Exception {
        String d = "off.example";
        addRow(d, "testing", List.of("mail.off.example"));
        Map<String, List<String>> before = elsewhere();
        List<String> inZone = under(d);
        DomainLifecycle.Report r = stack.advance(d); // the stack's lifecycle without withDelegation: DelegationZone empty
        assertEquals("blocked", r.state(), r.toString());
        assertTrue(r.detail().contains("DelegationZone"), r.detail());
        assertEquals(List.of(), stack.certificates("mta-sts." + d));
        assertEquals(before, elsewhere());
        assertEquals(inZone, under(d));
    }
}
