package dev.mtasts.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Policy;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.sender.DnsServer;
import dev.mtasts.sender.DomainCheck;
import dev.mtasts.sender.PolicyFetch;
import dev.mtasts.sender.PolicyServer;
import dev.mtasts.sender.Sender;
import dev.mtasts.sender.TestCa;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.Emf;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The daily check of a delegated domain (RFC 8461 §8.2), against a DNS server playing public DNS (the domain's own
 * DNS host and the delegation zone) and a real HTTPS policy host: a CNAME removed at the domain's DNS host, then one
 * changed to point elsewhere, is an alert naming the exact record to publish again, and the state says so.
 */
class DelegatedDailyCheckTest {
    static final String ZONE = "mta-sts.provider.example";
    static final String VALIDATION = "_3f1a.mta-sts.far.example _9c2b.acm-validations.aws.";
    static LocalDynamoDb dynamo;
    static DomainStore store;
    static DnsServer dns;
    static PolicyServer https;
    static final LifecycleStack.TestClock clock = new LifecycleStack.TestClock();
    static final List<String[]> alerts = Collections.synchronizedList(new ArrayList<>());
    static DailyCheck daily;

    @BeforeAll
    static void start() throws Exception {
        dynamo = LocalDynamoDb.start();
        long id = System.nanoTime();
        store = new DomainStore(Dynamo.create(dynamo.endpoint(), null), "dcheck-" + id).withState("dcheck-state-" + id);
        store.createTable();
        store.state().createTable();
        TestCa ca = new TestCa();
        ca.serve("mta-sts.far.example", ca.issue("mta-sts.far.example"));
        Policy enforce = Policy.of("enforce", List.of("mail.far.example"), "604800");
        https = new PolicyServer(ca).answer("mta-sts.far.example", PolicyServer.Answer.policy(enforce.render()));
        dns = new DnsServer()
                .add("far.example. 300 IN MX 10 mail.far.example.")
                // the four CNAMEs at the domain's DNS host
                .add("mta-sts.far.example. 300 IN CNAME far.example." + ZONE + ".")
                .add("_mta-sts.far.example. 300 IN CNAME _mta-sts.far.example." + ZONE + ".")
                .add("_smtp._tls.far.example. 300 IN CNAME _smtp._tls.far.example." + ZONE + ".")
                .add("_3f1a.mta-sts.far.example. 300 IN CNAME _9c2b.acm-validations.aws.")
                // what the stack keeps under its delegation zone
                .add("far.example." + ZONE + ". 300 IN A 127.0.0.1")
                .add("_mta-sts.far.example." + ZONE + ". 300 IN TXT \"v=STSv1; id=" + enforce.id() + "\"")
                .add("_smtp._tls.far.example." + ZONE + ". 300 IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@far.example\"")
                .add("_9c2b.acm-validations.aws. 300 IN TXT \"ok\"");
        Lifecycle lc = Lifecycle.start(clock.instant()).withDelegation(ZONE).withCertificate("arn:cert", VALIDATION)
                .at(Lifecycle.Step.READY, "ready", clock.instant())
                .withAnnounced(new Lifecycle.Announced(enforce.id(), enforce.render()));
        store.putItem(Map.of("domain", "far.example", "mode", "enforce", "mx", List.of("mail.far.example"),
                "max_age", new BigDecimal(604800), "dns", "delegated"));
        store.state().adopt(DomainName.parse("far.example"), lc, null);
        Sender sender = new Sender(dev.mtasts.sender.Dns.server(dns.address(), Duration.ofSeconds(2)),
                new PolicyFetch(TestCa.trust(ca).context(), Duration.ofSeconds(3)), https.port());
        sender.fetch(DomainName.parse("far.example")); // TLS loaded before the timed check
        daily = new DailyCheck(store, new DomainCheck(sender, null, clock), new Emf(m -> { }, clock),
                (subject, body) -> alerts.add(new String[] {subject, body}), clock).withPublicDns(sender.dns());
    }

    @AfterAll
    static void stop() {
        dns.close();
        https.close();
        dynamo.close();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> outcome() {
        return (Map<String, Object>) store.view("far.example").orElseThrow().check();
    }

    @Test
    void aRemovedOrChangedCnameAlertsOnceWithTheRecordToPublishAgain() {
        assertEquals(new DailyCheck.Summary(1, 0, 0), daily.run(), String.valueOf(outcome()));
        assertEquals("ok", outcome().get("status"), outcome().toString());

        dns.remove("_smtp._tls.far.example", "CNAME");
        clock.advance(Duration.ofDays(1));
        assertEquals(new DailyCheck.Summary(1, 1, 1), daily.run());
        assertEquals("MTA-STS: far.example: a CNAME of its delegation was removed or changed", alerts.get(0)[0]);
        assertTrue(alerts.get(0)[1].contains("_smtp._tls.far.example.  CNAME  _smtp._tls.far.example." + ZONE
                + ". (public DNS has no such name); publish it again"), alerts.get(0)[1]);
        assertEquals("error", outcome().get("status"));
        assertTrue(outcome().get("failures").toString().contains("check=delegation"), outcome().toString());

        dns.add("_smtp._tls.far.example. 300 IN CNAME _smtp._tls.far.example." + ZONE + ".");
        dns.remove("mta-sts.far.example", "CNAME").add("mta-sts.far.example. 300 IN CNAME mta-sts.other.example.");
        clock.advance(Duration.ofDays(1));
        assertEquals(new DailyCheck.Summary(1, 1, 0), daily.run(), "still failing: no second alert");
        assertTrue(outcome().get("failures").toString().contains("public DNS has: CNAME mta-sts.other.example, another "
                + "target"), outcome().toString());

        dns.remove("mta-sts.far.example", "CNAME").add("mta-sts.far.example. 300 IN CNAME far.example." + ZONE + ".");
        clock.advance(Duration.ofDays(1));
        assertEquals(new DailyCheck.Summary(1, 0, 1), daily.run(), String.valueOf(outcome()));
        assertEquals("MTA-STS: far.example passes its checks again", alerts.get(1)[0]);
    }
}
