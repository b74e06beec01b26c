package dev.mtasts.lifecycle;

import static dev.mtasts.lifecycle.LifecycleStack.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Lifecycle.Step;
import dev.mtasts.core.Policy;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.model.RRType;

/**
 * A row is the whole onboarding: added, it is provisioned to ready on moto_server and DynamoDB Local with every
 * resource and record in place; its policy changes keep RFC 8461 §8.1's order; retired and removed, nothing of it is
 * left; conflicts block without overwriting; two triggers or a crash never make anything twice.
 */
class LifecycleTest {
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

    @Test
    void aRowWithOnlyItsDomainBecomesReadyWithEverythingInPlace() throws Exception {
        String zone = stack.zone("add.example", "mx1.add.example", "mx2.add.example");
        stack.takeCalls();
        assertTrue(stack.store.add(name("add.example")));
        long t0 = System.nanoTime();
        DomainLifecycle.Report r = stack.advance("add.example");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Map<String, Integer> calls = stack.takeCalls();
        System.out.println("domain add -> " + r + " in " + ms + " ms; AWS requests " + calls + " = "
                + calls.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(r.ready(), r.toString());

        Map<String, Object> row = stack.store.find(name("add.example")).orElseThrow();
        Policy seeded = DomainRow.parse(row).policy();
        assertEquals("testing", seeded.mode().text());
        assertEquals(List.of("mx1.add.example", "mx2.add.example"), seeded.mx().stream().map(Object::toString).toList());
        assertEquals(86_400, seeded.maxAge());

        assertEquals(1, stack.certificates("mta-sts.add.example").size());
        assertEquals("ISSUED", stack.certificates("mta-sts.add.example").get(0).statusAsString());
        CustomDomains.CustomDomain custom = stack.customDomains.find(name("add.example")).orElseThrow();
        assertTrue(custom.mappedHere(stack.apiId));
        Map<String, String> host = stack.at(zone, "mta-sts.add.example");
        String target = custom.target().split(" ")[0];
        assertEquals(Map.of("A", "alias " + target, "AAAA", "alias " + target), host);
        assertEquals(Map.of("TXT", "\"v=TLSRPTv1; rua=https://mta-sts.add.example/v1/tlsrpt,mailto:tlsrpt@example.net\""),
                stack.at(zone, "_smtp._tls.add.example"));
        assertEquals(Map.of("TXT", "\"v=STSv1; id=" + seeded.id() + "\""), stack.at(zone, "_mta-sts.add.example"));
        Lifecycle lc = stack.lifecycleOf("add.example");
        assertTrue(stack.records(zone).stream().anyMatch(s -> s.startsWith(lc.validation().split(" ")[0] + " CNAME")),
                "the ACM validation record is in the zone: " + stack.records(zone));
        assertEquals("ready", lc.state());
        assertEquals(seeded.id(), lc.announced().id());
        assertNull(lc.lease(), "the lease is given back");
        assertFalse(stack.lifecycle.due(stack.view("add.example"), stack.clock.instant()), "a ready domain is at rest");
    }

    @Test
    void aPolicyChangeIsFetchedLiveBeforeItsIdIsPublished() throws Exception {
        String zone = stack.zone("change.example", "mail.change.example");
        stack.store.put(new DomainRow(name("change.example"), policy("testing", List.of("mail.change.example"), 86400)));
        assertTrue(stack.advance("change.example").ready());
        Policy enforce = policy("enforce", List.of("mail.change.example"), 604800);
        stack.store.put(new DomainRow(name("change.example"), enforce));
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        DomainLifecycle watched = stack.lifecycle((d, step) -> seen.add(step.text() + " " + stack.at(zone, "_mta-sts.change.example")));
        int fetches = stack.policyRequests.get();
        assertTrue(watched.advance(name("change.example"), stack.clock.instant().plusSeconds(60)).ready());
        assertEquals(List.of("decide", "live-check", "reporting", "announce"),
                seen.stream().map(x -> x.split(" ")[0]).toList());
        assertFalse(seen.get(1).contains(enforce.id()), "the old id is still published while the body is fetched: " + seen);
        assertTrue(seen.get(3).contains(enforce.id()), seen.toString());
        assertEquals(fetches + 1, stack.policyRequests.get(), "one live fetch");
        assertEquals(enforce.id(), stack.lifecycleOf("change.example").announced().id());
    }

    @Test
    void anEnforcePolicyMissingALiveMxIsNeverAnnouncedAndTheAnnouncedOneStaysServed() throws Exception {
        String zone = stack.zone("refuse.example", "mail.refuse.example", "backup.refuse.example");
        Policy testing = policy("testing", List.of("mail.refuse.example"), 86400);
        stack.store.put(new DomainRow(name("refuse.example"), testing));
        assertTrue(stack.advance("refuse.example").ready());
        stack.store.put(new DomainRow(name("refuse.example"), policy("enforce", List.of("mail.refuse.example"), 604800)));
        DomainLifecycle.Report r = stack.advance("refuse.example");
        assertEquals("blocked", r.state(), r.toString());
        assertTrue(r.detail().contains("backup.refuse.example"), r.detail());
        assertEquals(Map.of("TXT", "\"v=STSv1; id=" + testing.id() + "\""), stack.at(zone, "_mta-sts.refuse.example"));
        Map<String, Object> row = stack.store.find(name("refuse.example")).orElseThrow();
        assertEquals(testing.render(), Lifecycle.bodyToServe(DomainRow.parse(row).policy(), stack.lifecycleOf("refuse.example")),
                "senders keep getting the body the published id stands for");
        assertTrue(stack.metrics.stream().anyMatch(m -> m.contains("AnnouncementsRefused") && m.contains("refuse.example")));

        // the mail admin fixes the zone: the next look announces the policy
        stack.setMx(zone, "refuse.example", "mail.refuse.example");
        stack.clock.advance(Steps.LOOK_AGAIN.plusSeconds(1));
        assertTrue(stack.lifecycle.due(stack.view("refuse.example"), stack.clock.instant()));
        assertTrue(stack.advance("refuse.example").ready());
        assertTrue(stack.at(zone, "_mta-sts.refuse.example").get("TXT").contains(
                DomainRow.parse(stack.store.find(name("refuse.example")).orElseThrow()).policy().id()));
    }

    @Test
    void retiredThenRemovedNothingOfTheDomainIsLeft() throws Exception {
        String zone = stack.zone("bye.example", "mail.bye.example");
        stack.record(zone, "www.bye.example", RRType.A, "192.0.2.80"); // the user's own record stays
        List<String> before = stack.records(zone);
        stack.store.add(name("bye.example"));
        assertTrue(stack.advance("bye.example").ready());
        Policy none = policy("none", List.of(), 86400);
        stack.store.put(new DomainRow(name("bye.example"), none));
        assertTrue(stack.advance("bye.example").ready());
        assertTrue(stack.at(zone, "_mta-sts.bye.example").get("TXT").contains(none.id()));
        stack.store.setWish(name("bye.example"), DomainRow.REMOVE_REQUESTED, "2026-12-01T12:00:00Z");
        List<String> steps = Collections.synchronizedList(new ArrayList<>());
        DomainLifecycle.Report r = stack.lifecycle((d, s) -> steps.add(s.text()))
                .advance(name("bye.example"), stack.clock.instant().plusSeconds(60));
        assertEquals("removed", r.state(), r.toString());
        assertEquals(List.of("withdraw-announcement", "withdraw-reporting", "withdraw-alias", "delete-custom-domain",
                "delete-certificate", "delete-row"), steps, "the reverse order, _mta-sts first and the row last");
        assertTrue(stack.store.find(name("bye.example")).isEmpty());
        assertEquals(before, stack.records(zone), "the zone is as it was before the domain was added");
        assertTrue(stack.certificates("mta-sts.bye.example").isEmpty());
        assertFalse(stack.customDomainNames().contains("mta-sts.bye.example"));
        // what is left is when: domain get says "removed", not "no row"
        assertEquals(stack.clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                stack.state.removedAt("bye.example").orElseThrow());

        // added again, it starts afresh
        stack.store.add(name("bye.example"));
        assertTrue(stack.advance("bye.example").ready());
        assertTrue(stack.state.removedAt("bye.example").isEmpty());
        assertTrue(stack.certificates("mta-sts.bye.example").size() == 1);
    }

    /** Each record of another host blocks the domain before anything is created, and is left as it is. */
    @Test
    void recordsOfAnotherHostBlockAndAreNotOverwritten() throws Exception {
        record Case(String domain, String name, RRType type, String value) {
        }
        List<Case> cases = List.of(
                new Case("c1.example", "mta-sts.c1.example", RRType.A, "192.0.2.10"),
                new Case("c2.example", "mta-sts.c2.example", RRType.CNAME, "policy.other-host.example."),
                new Case("c3.example", "_mta-sts.c3.example", RRType.TXT, "\"v=STSv1; id=20240101T000000\""),
                new Case("c4.example", "_smtp._tls.c4.example", RRType.TXT, "\"v=TLSRPTv1; rua=mailto:reports@other.example\""),
                new Case("c5.example", "_mta-sts.c5.example", RRType.CNAME, "_mta-sts.provider.example."));
        for (Case c : cases) {
            String zone = stack.zone(c.domain(), "mail." + c.domain());
            stack.record(zone, c.name(), c.type(), c.value());
            List<String> before = stack.records(zone);
            stack.store.add(name(c.domain()));
            DomainLifecycle.Report r = stack.advance(c.domain());
            assertEquals("blocked", r.state(), c + ": " + r);
            assertTrue(r.detail().contains(c.name()) && r.detail().contains("--take-over"), r.detail());
            assertEquals(before, stack.records(zone), c + ": nothing overwritten");
            assertTrue(stack.certificates("mta-sts." + c.domain()).isEmpty(), c + ": nothing created");

            stack.store.setWish(name(c.domain()), DomainRow.TAKE_OVER, true);
            DomainLifecycle.Report taken = stack.advance(c.domain());
            assertTrue(taken.ready(), c + ": " + taken);
            assertFalse(stack.records(zone).toString().contains(c.value().replace("\"", "")), c + ": replaced");
            assertFalse(stack.store.find(name(c.domain())).orElseThrow().containsKey(DomainRow.TAKE_OVER),
                    c + ": the wish is cleared once fulfilled");
        }
    }

    @Test
    void aCustomDomainOfAnotherApiBlocksEvenWithTakeOver() throws Exception {
        stack.zone("other-api.example", "mail.other-api.example");
        String other = stack.api.createApi(r -> r.name("someone-else").protocolType("HTTP")).apiId();
        stack.api.createDomainName(r -> r.domainName("mta-sts.other-api.example"));
        stack.api.createApiMapping(r -> r.domainName("mta-sts.other-api.example").apiId(other).stage("$default"));
        stack.store.add(name("other-api.example"));
        stack.store.setWish(name("other-api.example"), DomainRow.TAKE_OVER, true);
        DomainLifecycle.Report r = stack.advance("other-api.example");
        assertEquals("blocked", r.state());
        assertTrue(r.detail().contains("mapped to API " + other) && r.detail().contains("delete-domain-name"), r.detail());
    }

    @Test
    void twoTriggersAtOnceMakeOneCertificateAndOneCustomDomain() throws Exception {
        stack.zone("twice.example", "mail.twice.example");
        stack.store.add(name("twice.example"));
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<DomainLifecycle.Report>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                runs.add(pool.submit(() -> {
                    together.await();
                    return stack.advance("twice.example");
                }));
            }
            List<String> states = new ArrayList<>();
            for (Future<DomainLifecycle.Report> f : runs) {
                states.add(f.get().state());
            }
            assertTrue(states.contains("ready"), states.toString());
        } finally {
            pool.shutdown();
        }
        if (!stack.lifecycleOf("twice.example").state().equals("ready")) {
            assertTrue(stack.advance("twice.example").ready());
        }
        assertEquals(1, stack.certificates("mta-sts.twice.example").size());
        assertEquals(1, stack.customDomainNames().stream().filter("mta-sts.twice.example"::equals).count());
    }

    /** A run that dies after a step, before writing it down, is resumed once its lease expires: nothing twice. */
    @Test
    void aCrashAfterAnyStepIsResumedWithoutDuplicates() throws Exception {
        for (Step crashAt : Lifecycle.provisioning()) {
            if (crashAt == Step.READY) {
                continue;
            }
            String domain = "crash-" + crashAt.text() + ".example";
            String zone = stack.zone(domain, "mail." + domain);
            stack.store.add(name(domain));
            boolean[] crashed = {false};
            DomainLifecycle dying = stack.lifecycle((d, step) -> {
                if (step == crashAt && !crashed[0]) {
                    crashed[0] = true;
                    throw new Crash();
                }
            });
            try {
                dying.advance(name(domain), stack.clock.instant().plusSeconds(60));
            } catch (Crash expected) {
                // the process is gone: its lease stays until it expires
            }
            assertTrue(crashed[0], "crashed at " + crashAt);
            assertEquals("busy", stack.advance(domain).state(), "the lease of the crashed run still holds");
            stack.clock.advance(DomainLifecycle.LEASE.plusSeconds(1));
            DomainLifecycle.Report r = stack.advance(domain);
            assertTrue(r.ready(), crashAt + ": " + r);
            assertEquals(1, stack.certificates("mta-sts." + domain).size(), crashAt + ": one certificate");
            assertEquals(1, stack.customDomainNames().stream().filter(("mta-sts." + domain)::equals).count());
            long cnames = stack.records(zone).stream().filter(s -> s.contains(" CNAME ")).count();
            assertEquals(1, cnames, crashAt + ": one validation record " + stack.records(zone));
        }
    }

    /** A removal that dies after a step is resumed too, and ends with nothing of the domain left. */
    @Test
    void aCrashDuringRemovalIsResumedToTheEnd() throws Exception {
        for (Step crashAt = Step.WITHDRAW_ANNOUNCEMENT; crashAt != null; crashAt = crashAt.next()) {
            String domain = "gone-" + crashAt.text() + ".example";
            String zone = stack.zone(domain, "mail." + domain);
            List<String> before = stack.records(zone);
            stack.store.add(name(domain));
            assertTrue(stack.advance(domain).ready());
            stack.store.setWish(name(domain), DomainRow.REMOVE_REQUESTED, "2026-12-01T12:00:00Z");
            Step at = crashAt;
            boolean[] crashed = {false};
            try {
                stack.lifecycle((d, step) -> {
                    if (step == at && !crashed[0]) {
                        crashed[0] = true;
                        throw new Crash();
                    }
                }).advance(name(domain), stack.clock.instant().plusSeconds(60));
            } catch (Crash expected) {
                // gone mid-removal
            }
            assertTrue(crashed[0], "crashed at " + crashAt);
            stack.clock.advance(DomainLifecycle.LEASE.plusSeconds(1));
            DomainLifecycle.Report r = stack.advance(domain);
            assertEquals("removed", r.state(), crashAt + ": " + r);
            assertEquals(before, stack.records(zone), crashAt + ": the zone as it was");
            assertTrue(stack.certificates("mta-sts." + domain).isEmpty(), crashAt.text());
            assertFalse(stack.customDomainNames().contains("mta-sts." + domain), crashAt.text());
        }
    }

    /** Thrown by the test hook: stands for the process dying (an Error, so nothing catches it on the way). */
    static final class Crash extends Error {
        Crash() {
            super("crash", null, false, false);
        }
    }

    @Test
    void aZoneWithoutMxCannotSeedAndSaysWhatToDo() throws Exception {
        stack.zone("nomx.example");
        stack.store.add(name("nomx.example"));
        DomainLifecycle.Report r = stack.advance("nomx.example");
        assertEquals("blocked", r.state());
        assertTrue(r.detail().contains("no MX record") && r.detail().contains("mta-sts domain put nomx.example"), r.detail());
    }

    @Test
    void aDomainWithoutZoneIsBlockedAndCarriesOnOnceTheZoneExists() throws Exception {
        stack.store.add(name("later.example"));
        DomainLifecycle.Report r = stack.advance("later.example");
        assertEquals("blocked", r.state());
        assertTrue(r.detail().contains("no public Route53 hosted zone"), r.detail());
        stack.zone("later.example", "mail.later.example");
        stack.clock.advance(Steps.LOOK_AGAIN.plusSeconds(1));
        assertTrue(stack.advance("later.example").ready());
    }

    @Test
    void aRowReplacedWhileProvisioningIsTakenAsItIs() throws Exception {
        stack.zone("replaced.example", "mail.replaced.example");
        stack.store.add(name("replaced.example"));
        DomainLifecycle replacing = stack.lifecycle((d, step) -> {
            if (step == Step.CUSTOM_DOMAIN) {
                stack.store.putItem(Map.of("domain", "replaced.example", "mode", "testing",
                        "mx", List.of("mail.replaced.example"), "max_age", new BigDecimal(3600)));
            }
        });
        DomainLifecycle.Report r = replacing.advance(name("replaced.example"), stack.clock.instant().plusSeconds(60));
        assertTrue(r.ready(), "the run carries on with the row as it is now: " + r);
        assertEquals(3600, stack.lifecycleOf("replaced.example").announced().policy().contains("max_age: 3600") ? 3600 : 0,
                "the new row's policy is the one announced");
        assertEquals(1, stack.certificates("mta-sts.replaced.example").size(), "nothing made twice");
    }

    @Test
    void aBlockedDomainIsLookedAtAgainOnlyAfterAWhile() throws Exception {
        stack.store.add(name("wait.example"));
        assertEquals("blocked", stack.advance("wait.example").state());
        var item = stack.view("wait.example");
        assertFalse(stack.lifecycle.due(item, stack.clock.instant()));
        assertTrue(stack.lifecycle.due(item, stack.clock.instant().plus(Steps.LOOK_AGAIN).plus(Duration.ofSeconds(1))));
    }

    /**
     * The stack deleted with its domains up (its HTTP API kept) and deployed again with its tables: the new
     * deployment's schedule finds each ready domain's custom domain mapped to an API not its own, maps it to its new
     * API instead, and fetches the policy live again through it; what is announced stays exactly as it was.
     */
    @Test
    void aStackDeployedAgainMapsItsCustomDomainsToItsNewApi() throws Exception {
        String zone = stack.zone("again.example", "mail.again.example");
        stack.store.put(new DomainRow(name("again.example"), policy("enforce", List.of("mail.again.example"), 604800)));
        assertTrue(stack.advance("again.example").ready());
        Lifecycle before = stack.lifecycleOf("again.example");
        assertEquals(stack.apiId, before.api(), "the API it was mapped to is noted");
        assertFalse(stack.lifecycle.due(stack.view("again.example"), stack.clock.instant()), "at rest");
        List<String> records = stack.records(zone);

        String newApi = stack.api.createApi(r -> r.name("mta-sts").protocolType("HTTP")).apiId();
        CustomDomains redeployed = new CustomDomains(stack.api, newApi, "mta-sts");
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        DomainLifecycle again = stack.lifecycle(redeployed, (d, step) -> seen.add(step.text()));
        assertTrue(again.due(stack.view("again.example"), stack.clock.instant()), "a new API: work to do");
        int fetches = stack.policyRequests.get();
        assertTrue(again.advance(name("again.example"), stack.clock.instant().plusSeconds(60)).ready());

        assertEquals(List.of("custom-domain", "alias", "decide", "live-check", "reporting", "announce"), seen);
        assertEquals(List.of(newApi), stack.customDomains.find(name("again.example")).orElseThrow().apis(),
                "the old API's mapping is taken off");
        assertEquals(fetches + 1, stack.policyRequests.get(), "fetched live again");
        Lifecycle after = stack.lifecycleOf("again.example");
        assertEquals(newApi, after.api());
        assertEquals(before.announced(), after.announced(), "the same announcement, from the same time");
        assertEquals(records, stack.records(zone), "no record changed");
        assertFalse(again.due(stack.view("again.example"), stack.clock.instant()), "at rest again");
        stack.takeCalls();
        assertTrue(again.advance(name("again.example"), stack.clock.instant().plusSeconds(60)).ready());
        assertEquals(Map.of(), stack.takeCalls(), "nothing asked of AWS once it is mapped");

        // a state of a version that did not note the API: looked at once
        stack.state.restart("again.example", after.withApi(null));
        assertTrue(again.due(stack.view("again.example"), stack.clock.instant()));
        assertTrue(again.advance(name("again.example"), stack.clock.instant().plusSeconds(60)).ready());
        assertEquals(newApi, stack.lifecycleOf("again.example").api());
        assertEquals(List.of(newApi), stack.customDomains.find(name("again.example")).orElseThrow().apis());
    }
}
