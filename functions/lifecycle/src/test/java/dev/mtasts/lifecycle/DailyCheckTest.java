package dev.mtasts.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.MxMove;
import dev.mtasts.core.Policy;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.sender.DnsServer;
import dev.mtasts.sender.DomainCheck;
import dev.mtasts.sender.PolicyFetch;
import dev.mtasts.sender.PolicyServer;
import dev.mtasts.sender.Sender;
import dev.mtasts.sender.TestCa;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.DomainView;
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
 * The daily check on DynamoDB Local with a fake clock, against a real DNS server and HTTPS policy host: a healthy
 * domain, then MX drift under enforce (one alert, said first), still drifting (no second alert), fixed (one recovery).
 */
class DailyCheckTest {
    static LocalDynamoDb dynamo;
    static DomainStore store;
    static DnsServer dns;
    static PolicyServer https;
    static final LifecycleStack.TestClock clock = new LifecycleStack.TestClock();
    static final List<String> metrics = Collections.synchronizedList(new ArrayList<>());
    static final List<String[]> alerts = Collections.synchronizedList(new ArrayList<>());
    static DailyCheck daily;
    static Policy enforce;

    @BeforeAll
    static void start() throws Exception {
        dynamo = LocalDynamoDb.start();
        long id = System.nanoTime();
        store = new DomainStore(Dynamo.create(dynamo.endpoint(), null), "check-" + id).withState("check-state-" + id);
        store.createTable();
        store.state().createTable();
        TestCa ca = new TestCa();
        ca.serve("mta-sts.watched.example", ca.issue("mta-sts.watched.example"));
        enforce = Policy.of("enforce", List.of("mail.watched.example"), "604800");
        https = new PolicyServer(ca).answer("mta-sts.watched.example", PolicyServer.Answer.policy(enforce.render()));
        dns = new DnsServer()
                .add("_mta-sts.watched.example. 300 IN TXT \"v=STSv1; id=" + enforce.id() + "\"")
                .add("_smtp._tls.watched.example. 300 IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@watched.example\"")
                .add("mta-sts.watched.example. 300 IN A 127.0.0.1")
                .add("watched.example. 300 IN MX 10 mail.watched.example.");
        Lifecycle lc = Lifecycle.start(clock.instant()).at(Lifecycle.Step.READY, "ready", clock.instant())
                .withAnnounced(new Lifecycle.Announced(enforce.id(), enforce.render()));
        store.putItem(Map.of("domain", "watched.example", "mode", "enforce",
                "mx", List.of("mail.watched.example"), "max_age", new BigDecimal(604800)));
        store.state().adopt(DomainName.parse("watched.example"), lc, null); // as the lifecycle leaves a ready domain
        store.putItem(Map.of("domain", "new.example")); // nothing announced yet: not checked
        Sender sender = new Sender(dev.mtasts.sender.Dns.server(dns.address(), Duration.ofSeconds(2)),
                new PolicyFetch(TestCa.trust(ca).context(), Duration.ofSeconds(3)), https.port());
        // the first fetch of a JVM loads TLS; on a busy machine that alone can pass the check's "https time" warning
        sender.fetch(DomainName.parse("watched.example"));
        daily = new DailyCheck(store, new DomainCheck(sender, null, clock), new Emf(metrics::add, clock),
                (subject, body) -> alerts.add(new String[] {subject, body}), clock);
    }

    @AfterAll
    static void stop() {
        dns.close();
        https.close();
        dynamo.close();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> outcome() throws Exception {
        return (Map<String, Object>) store.view("watched.example").orElseThrow().check(); // in the stack's state
    }

    /** The existing MX drift alert names a move of MX hosts under way, which explains it or says what is safe. */
    @Test
    void theAlertNamesAnMxMoveUnderWay() throws Exception {
        Policy old = Policy.of("enforce", List.of("mail.watched.example"), "604800");
        MxMove.Wish wish = MxMove.Wish.of(old, List.of("mx.new.example"), null, false, List.of(), clock.instant());
        java.time.Instant safe = java.time.Instant.parse("2026-12-08T10:07:00Z");
        Lifecycle lc = Lifecycle.start(clock.instant()).at(Lifecycle.Step.READY, "ready", clock.instant())
                .withMove(MxMove.start(wish, clock.instant()).waitingFor(old.render(), safe, clock.instant()));
        Map<String, Object> row = new java.util.LinkedHashMap<>(Map.of("domain", "moving.example",
                DomainRow.MX_MOVE, wish.toPlain()));
        String said = DailyCheck.move(new DomainView("moving.example", row, Map.of("domain", "moving.example",
                Lifecycle.ATTRIBUTE, lc.toPlain())), clock.instant());
        assertEquals("An MX move is under way (mta-sts domain move-mx): the policy now covers mx.new.example; change "
                + "your MX records after 2026-12-08T10:07Z (senders may hold the previous policy until then); the stack "
                + "drops mail.watched.example from the policy once no MX record names it.\n", said);
        assertEquals("", DailyCheck.move(new DomainView("still.example", Map.of("domain", "still.example"),
                Map.of("domain", "still.example", Lifecycle.ATTRIBUTE, lc.withMove(null).toPlain())), clock.instant()));
    }

    @Test
    void mxDriftUnderEnforceAlertsOnceAndRecoveryOnce() throws Exception {
        assertEquals(new DailyCheck.Summary(1, 0, 0), daily.run());
        assertEquals("ok", outcome().get("status"));
        assertEquals(clock.instant().toString(), outcome().get("at"));

        dns.add("watched.example. 300 IN MX 20 backup.watched.example.");
        clock.advance(Duration.ofDays(1));
        assertEquals(new DailyCheck.Summary(1, 1, 1), daily.run());
        assertEquals("MTA-STS: mail to watched.example at risk: an MX host is not in the enforce policy", alerts.get(0)[0]);
        assertTrue(alerts.get(0)[1].contains("MX backup.watched.example matches no pattern of the enforce policy"), alerts.get(0)[1]);
        assertEquals("error", outcome().get("status"));
        assertTrue(outcome().get("failures").toString().contains("mx coverage"), outcome().toString());
        assertTrue(metrics.stream().anyMatch(m -> m.contains("\"CheckFailures\":1") && m.contains("\"Check\":\"mx coverage\"")
                && m.contains("\"Domain\":\"watched.example\"")), metrics.toString());

        clock.advance(Duration.ofDays(1));
        assertEquals(new DailyCheck.Summary(1, 1, 0), daily.run(), "still failing: no second alert");

        dns.remove("watched.example", "MX").add("watched.example. 300 IN MX 10 mail.watched.example.");
        clock.advance(Duration.ofDays(1));
        assertEquals(new DailyCheck.Summary(1, 0, 1), daily.run());
        assertEquals("MTA-STS: watched.example passes its checks again", alerts.get(1)[0]);
        assertEquals("ok", outcome().get("status"));
    }
}
