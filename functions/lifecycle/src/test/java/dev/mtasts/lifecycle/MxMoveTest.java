package dev.mtasts.lifecycle;

import static dev.mtasts.lifecycle.LifecycleStack.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Mode;
import dev.mtasts.core.MxMove;
import dev.mtasts.core.Policy;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MX moves that never bounce mail (domain move-mx), on DynamoDB Local and moto_server's Route53 with a test clock:
 * the whole way add, enforce, move, safe time, the MX records switched (by the user, or by the stack), old host
 * dropped, checking after every step what is served, announced and in the zone, and that no sender could hold an
 * enforce policy that misses a live MX host; the switch made too early; --cancel; testing; a seeded policy that
 * follows the zone's MX records.
 */
class MxMoveTest {
    static LifecycleStack stack;
    /** The lifecycle as the function runs it with AllowMxSwitch on. */
    static DomainLifecycle lifecycle;

    /** RFC 8461 §8.1 as the stack applies it to a move announced now: propagation, the TXT TTL, then max_age. */
    static final long MARGIN = 60 + 300;

    @BeforeAll
    static void start() throws IOException {
        stack = new LifecycleStack();
        lifecycle = stack.moving(true);
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    static Policy policy(String mode, List<String> mx, long maxAge) throws Exception {
        return Policy.of(mode, mx, Long.toString(maxAge));
    }

    static DomainLifecycle.Report advance(String domain) {
        return lifecycle.advance(name(domain), stack.clock.instant().plus(Duration.ofMinutes(5)));
    }

    /** The lifecycle's schedule, as EventBridge runs it every five minutes. */
    static String schedule(DomainLifecycle lc) {
        return new LifecycleScheduleHandler(stack.store, new Runner(lc, stack.clock), stack.clock)
                .handleRequest(Map.of(), null);
    }

    /** What domain move-mx writes: the policy (covering, or the new one at once) and the wish, for the stack. */
    static MxMove.Wish moveMx(String domain, List<String> to, List<String> from, boolean switchMx,
            List<Integer> priorities) throws Exception {
        Policy current = DomainRow.parse(stack.store.find(name(domain)).orElseThrow()).policy();
        MxMove.Wish wish = MxMove.Wish.of(current, to, from, switchMx, priorities, stack.clock.instant());
        Policy now = wish.policyNow(current);
        if (wish.forTheStack(current)) {
            assertTrue(stack.store.startMove(new DomainRow(name(domain), now), wish.toPlain()));
        } else {
            stack.store.put(new DomainRow(name(domain), now));
        }
        return wish;
    }

    static String txtId(String zone, String domain) {
        String txt = stack.at(zone, "_mta-sts." + domain).get("TXT");
        return txt == null ? null : txt.replaceAll(".*id=(\\w+).*", "$1");
    }

    static String mx(String zone, String domain) {
        return stack.at(zone, domain).get("MX");
    }

    static String describe(String domain) {
        Lifecycle lc = stack.lifecycleOf(domain);
        return MxMove.describe(MxMove.Wish.of(stack.store.find(name(domain)).orElseThrow()), lc.move(), lc.announced(),
                stack.clock.instant());
    }

    static List<String[]> alertsFor(String domain) {
        return stack.alerts.stream().filter(a -> a[0].contains(" " + domain + " ") || a[0].contains(" " + domain + ":"))
                .toList();
    }

    /**
     * What senders may hold, seen from outside as a sender sees it: every body the policy host served, until its
     * max_age after it was last served, and the body of the id DNS announces. After every step: the announced id
     * stands for a body the host served, and no enforce policy a sender may hold misses a live MX host.
     */
    static final class Senders {
        final String domain;
        final String zone;
        final Map<String, Instant> lastServed = new LinkedHashMap<>();
        final List<String> log = new ArrayList<>();

        Senders(String domain, String zone) {
            this.domain = domain;
            this.zone = zone;
        }

        /** Records what is served and announced now, and checks it; returns the policies senders may hold. */
        List<Policy> observe(String step) throws Exception {
            List<Policy> held = look(step);
            List<String> live = live();
            for (Policy p : held) {
                if (p.mode() == Mode.ENFORCE) {
                    assertEquals(List.of(), p.uncovered(live), step + ": at " + stack.clock.instant() + " senders may "
                            + "hold enforce policy " + p.id() + " (" + p.mx() + "), which misses a live MX host;\n"
                            + String.join("\n", log));
                }
            }
            return held;
        }

        /** The same, without the check (an MX switch made too early breaks it on purpose). */
        List<Policy> look(String step) throws Exception {
            Instant now = stack.clock.instant();
            String served = stack.served(domain);
            if (served.startsWith("200 ")) {
                lastServed.put(served.substring(4), now);
            }
            String id = txtId(zone, domain);
            log.add(now + " " + step + ": _mta-sts id " + id + ", MX " + mx(zone, domain) + ", served "
                    + (served.startsWith("200 ") ? Policy.parse(served.substring(4)).id() : served.substring(0, 3)));
            List<Policy> held = new ArrayList<>();
            boolean announcedKnown = id == null;
            for (Map.Entry<String, Instant> e : lastServed.entrySet()) {
                Policy p = Policy.parse(e.getKey());
                announcedKnown |= p.id().equals(id);
                if (p.id().equals(id) || e.getValue().plusSeconds(p.maxAge()).isAfter(now)) {
                    held.add(p);
                }
            }
            assertTrue(announcedKnown, step + ": _mta-sts announces " + id + ", a body the host never served (§8.1)");
            return held;
        }

        List<String> live() {
            String records = mx(zone, domain);
            List<String> hosts = new ArrayList<>();
            if (records != null) {
                String[] parts = records.split(" ");
                for (int i = 1; i < parts.length; i += 2) {
                    hosts.add(MxMove.host(parts[i]));
                }
            }
            return hosts;
        }
    }

    /** A domain announced under enforce with these MX hosts, its enforce policy in senders' caches for a while. */
    static Senders enforced(String domain, List<String> mx, long maxAge) throws Exception {
        String zone = stack.zone(domain, mx.toArray(String[]::new));
        Senders senders = new Senders(domain, zone);
        stack.store.put(new DomainRow(name(domain), policy("testing", mx, 86400)));
        assertTrue(advance(domain).ready());
        senders.observe("testing announced");
        stack.store.put(new DomainRow(name(domain), policy("enforce", mx, maxAge)));
        assertTrue(advance(domain).ready());
        senders.observe("enforce announced");
        stack.clock.advance(Duration.ofDays(10));
        senders.observe("ten days later");
        return senders;
    }

    @Test
    void anEnforceMoveWaitsForTheSafeTimeTheUserSwitchesAndTheOldHostIsDropped() throws Exception {
        String d = "move.example";
        Senders senders = enforced(d, List.of("mail.old.example"), 604800);
        Policy enforce = policy("enforce", List.of("mail.old.example"), 604800);

        MxMove.Wish wish = moveMx(d, List.of("mx.new.example"), null, false, List.of());
        assertEquals(List.of("mail.old.example"), wish.from(), "--from defaults to what the new patterns do not cover");
        Policy covering = policy("enforce", List.of("mail.old.example", "mx.new.example"), 604800);
        assertEquals("200 " + enforce.render(), stack.served(d), "before its MX check, the announced policy is served");
        senders.observe("move-mx");
        Instant announcedAt = stack.clock.instant();
        assertTrue(advance(d).ready());
        senders.observe("covering policy announced");
        assertEquals(covering.id(), txtId(senders.zone, d));
        assertEquals("200 " + covering.render(), stack.served(d));
        Lifecycle lc = stack.lifecycleOf(d);
        assertEquals(MxMove.Phase.WAITING, lc.move().phase());
        Instant safe = MxMove.minuteUp(announcedAt.plusSeconds(MARGIN + 604800));
        assertEquals(safe, lc.move().safeAfter(), "§8.1: the previous policy's max_age after the new id is seen, to the "
                + "minute");
        assertEquals("the policy now covers mx.new.example; change your MX records after " + MxMove.minute(safe)
                + " (senders may hold the previous policy until then); the stack drops mail.old.example from the "
                + "policy once no MX record names it", describe(d));
        assertFalse(lifecycle.due(stack.view(d), stack.clock.instant()), "just looked at");
        assertTrue(lifecycle.due(stack.view(d), stack.clock.instant().plus(MxWatch.MOVE_LOOK)),
                "a move is looked at every few minutes");

        stack.clock.advance(Duration.ofDays(3));
        schedule(lifecycle);
        senders.observe("three days later");
        stack.clock.advance(Duration.between(stack.clock.instant(), safe).minusMinutes(1));
        schedule(lifecycle);
        senders.observe("a minute before the safe time");
        assertEquals(List.of(), alertsFor(d), "nothing to say before the safe time");
        assertEquals(MxMove.Phase.WAITING, stack.lifecycleOf(d).move().phase());

        stack.clock.advance(Duration.ofMinutes(5));
        schedule(lifecycle);
        senders.observe("the schedule after the safe time");
        List<String[]> alerts = alertsFor(d);
        assertEquals(1, alerts.size());
        assertEquals("MTA-STS: move.example: safe to move MX to mx.new.example now", alerts.get(0)[0]);
        String body = alerts.get(0)[1];
        System.out.println("the safe-time alert:\n" + alerts.get(0)[0] + "\n" + body);
        assertTrue(body.contains("aws route53 change-resource-record-sets --hosted-zone-id " + senders.zone
                + " --change-batch '{\"Changes\":[{\"Action\":\"UPSERT\",\"ResourceRecordSet\":{\"Name\":\"move.example.\","
                + "\"Type\":\"MX\",\"TTL\":3600,\"ResourceRecords\":[{\"Value\":\"10 mx.new.example.\"}]}}]}'"), body);
        assertTrue(body.contains("previous policy (id " + enforce.id() + ", enforce, max_age 604800)"), body);
        assertEquals("10 mail.old.example.", mx(senders.zone, d), "the stack does not touch the MX records unasked");
        assertEquals(MxMove.Phase.SWITCH, stack.lifecycleOf(d).move().phase());
        assertTrue(describe(d).startsWith("safe since "), describe(d));

        stack.setMx(senders.zone, d, "mx.new.example"); // the user makes the change the alert gave
        senders.observe("the user switched the MX records");
        stack.clock.advance(Duration.ofMinutes(5));
        schedule(lifecycle);
        senders.observe("the schedule after the switch");
        Policy after = policy("enforce", List.of("mx.new.example"), 604800);
        assertEquals(after.id(), txtId(senders.zone, d), "the old host left the policy, with a new id");
        assertEquals("200 " + after.render(), stack.served(d));
        lc = stack.lifecycleOf(d);
        assertEquals(MxMove.Phase.DONE, lc.move().phase());
        assertEquals("ready", lc.state());
        assertNull(stack.store.find(name(d)).orElseThrow().get(DomainRow.MX_MOVE), "the wish is cleared once fulfilled");
        assertTrue(describe(d).startsWith("done at "), describe(d));
        assertFalse(lifecycle.due(stack.view(d), stack.clock.instant()), "at rest once the move is done");
        assertEquals(1, alertsFor(d).size(), "one alert for the whole move");
        stack.clock.advance(Duration.ofDays(8));
        senders.observe("a week later");
    }

    @Test
    void withSwitchMxTheStackChangesTheMxRecordsAtTheSafeTimeKeepingTheirPriorities() throws Exception {
        String d = "switch.example";
        Senders senders = enforced(d, List.of("mx1.old.example", "mx2.old.example"), 86400);
        moveMx(d, List.of("mx1.new.example", "mx2.new.example"), null, true, List.of());
        Instant announcedAt = stack.clock.instant();
        assertTrue(advance(d).ready());
        senders.observe("covering policy announced");
        Instant safe = announcedAt.plusSeconds(MARGIN + 86400);
        assertTrue(describe(d).contains("the stack changes the MX records to mx1.new.example, mx2.new.example after "
                + MxMove.minute(safe)), describe(d));

        stack.clock.advance(Duration.between(stack.clock.instant(), safe).minusSeconds(30));
        schedule(lifecycle);
        senders.observe("just before the safe time");
        assertEquals("10 mx1.old.example. 20 mx2.old.example.", mx(senders.zone, d), "not a second early");

        stack.clock.advance(Duration.ofMinutes(5));
        schedule(lifecycle);
        senders.observe("the schedule after the safe time");
        assertEquals("10 mx1.new.example. 20 mx2.new.example.", mx(senders.zone, d), "the priorities kept");
        assertEquals(policy("enforce", List.of("mx1.new.example", "mx2.new.example"), 86400).id(),
                txtId(senders.zone, d), "and the old hosts dropped in the same run");
        assertEquals(MxMove.Phase.DONE, stack.lifecycleOf(d).move().phase());
        List<String[]> alerts = alertsFor(d);
        assertEquals(1, alerts.size());
        assertEquals("MTA-STS: switch.example: MX records moved to mx1.new.example, mx2.new.example", alerts.get(0)[0]);
        assertTrue(alerts.get(0)[1].contains("The stack changed the MX records at ") && alerts.get(0)[1].contains(
                " to 10 mx1.new.example, 20 mx2.new.example.\n"), alerts.get(0)[1]);
        assertTrue(alerts.get(0)[1].contains("The stack drops mx1.old.example, mx2.old.example from the policy now"),
                alerts.get(0)[1]);

        // the priorities given with --to-priority
        String p = "priority.example";
        Senders second = enforced(p, List.of("mail.old.example"), 3600);
        moveMx(p, List.of("mx.new.example"), null, true, List.of(5));
        assertTrue(advance(p).ready());
        stack.clock.advance(Duration.ofSeconds(MARGIN + 3600 + 60));
        schedule(lifecycle);
        second.observe("switched");
        assertEquals("5 mx.new.example.", mx(second.zone, p));
        assertEquals(MxMove.Phase.DONE, stack.lifecycleOf(p).move().phase());
    }

    /** The template's AllowMxSwitch off (the default): the stack says so and gives the change to make instead. */
    @Test
    void withoutLeaveToWriteMxRecordsTheAlertGivesTheChangeToMake() throws Exception {
        DomainLifecycle readOnly = stack.moving(false);
        String d = "nowrite.example";
        Senders senders = enforced(d, List.of("mail.old.example"), 3600);
        moveMx(d, List.of("mx.new.example"), null, true, List.of());
        assertTrue(readOnly.advance(name(d), stack.clock.instant().plusSeconds(300)).ready());
        stack.clock.advance(Duration.ofSeconds(MARGIN + 3600 + 60));
        readOnly.advance(name(d), stack.clock.instant().plusSeconds(300));
        senders.observe("safe time");
        assertEquals("10 mail.old.example.", mx(senders.zone, d), "nothing written");
        String[] alert = alertsFor(d).get(0);
        assertEquals("MTA-STS: nowrite.example: safe to move MX to mx.new.example now", alert[0]);
        assertTrue(alert[1].contains("AllowMxSwitch parameter is false") && alert[1].contains("\"Value\":\"10 mx.new.example.\""),
                alert[1]);
        assertTrue(describe(d).contains("the stack may not write MX records"), describe(d));
    }

    @Test
    void anMxSwitchBeforeTheSafeTimeIsSaidAtOnceWithWhoIsAtRiskUntilWhenAndTheWayBack() throws Exception {
        String d = "early.example";
        Senders senders = enforced(d, List.of("mail.old.example"), 604800);
        Policy old = policy("enforce", List.of("mail.old.example"), 604800);
        moveMx(d, List.of("mx.new.example"), null, false, List.of());
        assertTrue(advance(d).ready());
        senders.observe("covering policy announced");
        Instant safe = stack.lifecycleOf(d).move().safeAfter();

        stack.clock.advance(Duration.ofDays(1));
        stack.setMx(senders.zone, d, "mx.new.example"); // too early
        List<Policy> held = senders.look("switched a day after the announcement");
        assertTrue(held.stream().anyMatch(p -> p.id().equals(old.id())), "senders may still hold the old policy");
        stack.clock.advance(Duration.ofMinutes(5));
        schedule(lifecycle);
        List<String[]> alerts = alertsFor(d);
        assertEquals(1, alerts.size(), "said at once");
        assertEquals("MTA-STS: mail to early.example at risk: MX changed before the safe time", alerts.get(0)[0]);
        String body = alerts.get(0)[1];
        System.out.println("the early-switch alert:\n" + alerts.get(0)[0] + "\n" + body);
        assertTrue(body.contains("the previous policy (id " + old.id() + ") does not cover") && body.contains("until "
                + MxMove.minute(safe)) && body.contains("Put the old MX records back (10 mail.old.example.)"), body);
        assertTrue(describe(d).contains("WARNING: since "), describe(d));
        assertEquals(MxMove.Phase.WAITING, stack.lifecycleOf(d).move().phase(), "the move carries on");
        assertEquals(policy("enforce", List.of("mail.old.example", "mx.new.example"), 604800).id(),
                txtId(senders.zone, d), "the covering policy stays: it covers the live MX");

        stack.clock.advance(Duration.ofMinutes(5));
        schedule(lifecycle);
        assertEquals(1, alertsFor(d).size(), "not twice");

        stack.setMx(senders.zone, d, "mail.old.example"); // the way back the alert gave
        stack.clock.advance(Duration.ofMinutes(5));
        schedule(lifecycle);
        senders.observe("old MX back");
        assertFalse(describe(d).contains("WARNING"), describe(d));

        stack.setMx(senders.zone, d, "mx.new.example"); // and accepted after all
        stack.clock.advance(Duration.ofMinutes(5));
        schedule(lifecycle);
        assertEquals(2, alertsFor(d).size(), "switched early again: said again");
        stack.clock.advance(Duration.between(stack.clock.instant(), safe).plusMinutes(1));
        schedule(lifecycle);
        senders.observe("after the safe time");
        String[] last = alertsFor(d).get(2);
        assertTrue(last[1].contains("The MX records name mx.new.example already"), last[1]);
        assertEquals(policy("enforce", List.of("mx.new.example"), 604800).id(), txtId(senders.zone, d));
        assertEquals(MxMove.Phase.DONE, stack.lifecycleOf(d).move().phase());
    }

    @Test
    void cancelBeforeTheSwitchAnnouncesThePreviousPolicyAgain() throws Exception {
        String d = "cancel.example";
        Senders senders = enforced(d, List.of("mail.old.example"), 604800);
        Policy old = policy("enforce", List.of("mail.old.example"), 604800);
        MxMove.Wish wish = moveMx(d, List.of("mx.new.example"), null, false, List.of());
        assertTrue(advance(d).ready());
        senders.observe("covering policy announced");
        stack.clock.advance(Duration.ofDays(2));

        assertTrue(stack.store.cancelMove(name(d), wish.asked(), wish.before())); // domain move-mx --cancel
        assertFalse(stack.store.cancelMove(name(d), wish.asked(), wish.before()), "once");
        senders.observe("cancelled");
        assertTrue(advance(d).ready());
        senders.observe("previous policy announced again");
        assertEquals(old.id(), txtId(senders.zone, d), "the id changes back from the covering policy's");
        assertEquals("200 " + old.render(), stack.served(d));
        assertEquals(MxMove.Phase.CANCELLED, stack.lifecycleOf(d).move().phase());
        assertTrue(describe(d).startsWith("cancelled at "), describe(d));
        assertFalse(lifecycle.due(stack.view(d), stack.clock.instant()));
        assertEquals(List.of(), alertsFor(d));
    }

    /**
     * MX records changed before the safe time to a host the move is not for: neither the previous policy nor the
     * covering one names it, so no wait makes mail to it safe. The alert says so at once, not "until the safe time";
     * and at no time is an enforce policy announced that misses it.
     */
    @Test
    void anEarlySwitchToAHostTheMoveIsNotForIsSaidToBeAtRiskBeyondTheSafeTime() throws Exception {
        String d = "third.example";
        Senders senders = enforced(d, List.of("mail.old.example"), 86400);
        moveMx(d, List.of("mx.new.example"), null, false, List.of());
        assertTrue(advance(d).ready());
        senders.observe("covering policy announced");
        Policy covering = policy("enforce", List.of("mail.old.example", "mx.new.example"), 86400);
        Instant safe = stack.lifecycleOf(d).move().safeAfter();

        stack.clock.advance(Duration.ofHours(1));
        stack.setMx(senders.zone, d, "mx.third.example"); // a typo, or the wrong provider
        stack.clock.advance(MxWatch.MOVE_LOOK);
        schedule(lifecycle);
        List<String[]> alerts = alertsFor(d);
        assertEquals(1, alerts.size(), "said at once");
        String body = alerts.get(0)[1];
        assertTrue(body.contains("mx.third.example is not in the policy announced now (id " + covering.id() + ") "
                + "either: senders will not deliver to it after that time either (this move is to mx.new.example). "
                + "Put the old MX records back (10 mail.old.example.), or those of the move (mx.new.example)"), body);
        assertTrue(body.contains("No MX record is covered by the previous policy or the one announced now"), body);
        assertFalse(body.contains("or accept the risk until then (the move carries on by itself)"), body);
        assertTrue(describe(d).contains("mx.third.example is not in the policy announced now"), describe(d));

        // an MX host of the move too: the risk of the early switch alone, as before
        stack.setMx(senders.zone, d, "mx.new.example");
        stack.clock.advance(MxWatch.MOVE_LOOK);
        schedule(lifecycle);
        assertTrue(describe(d).contains("or accept the risk until then (the move carries on by itself)"), describe(d));

        // left on the third host past the safe time: the old host is dropped, but no enforce policy that misses the
        // live MX host is announced
        stack.setMx(senders.zone, d, "mx.third.example");
        stack.clock.advance(Duration.between(stack.clock.instant(), safe).plusMinutes(5));
        schedule(lifecycle);
        schedule(lifecycle);
        senders.look("past the safe time on the third host");
        assertEquals(covering.id(), txtId(senders.zone, d), "the policy without the old host misses mx.third.example");
        assertEquals("blocked", stack.lifecycleOf(d).state());
        assertTrue(stack.lifecycleOf(d).detail().contains("does not cover MX mx.third.example"),
                stack.lifecycleOf(d).detail());
    }

    /**
     * The row written whole during a move (aws dynamodb put-item without mx_move): the move is over, and says it was
     * set aside, not that the policy is back to what it was; the policy is the one written.
     */
    @Test
    void aRowWrittenWithoutTheMoveSetsItAside() throws Exception {
        String d = "putitem.example";
        Senders senders = enforced(d, List.of("mail.old.example"), 3600);
        moveMx(d, List.of("mx.new.example"), null, false, List.of());
        assertTrue(advance(d).ready());
        senders.observe("covering policy announced");
        Map<String, Object> item = new LinkedHashMap<>(stack.store.find(name(d)).orElseThrow());
        item.remove(DomainRow.MX_MOVE);
        stack.store.putItem(item); // the covering policy as it is, without the move
        stack.clock.advance(MxWatch.MOVE_LOOK);
        schedule(lifecycle);
        senders.observe("row written without the move");
        assertEquals(MxMove.Phase.SET_ASIDE, stack.lifecycleOf(d).move().phase());
        assertTrue(describe(d).startsWith("set aside at "), describe(d));
        assertEquals(policy("enforce", List.of("mail.old.example", "mx.new.example"), 3600).id(), txtId(senders.zone, d));
        stack.clock.advance(Duration.ofDays(1));
        schedule(lifecycle);
        assertEquals(List.of(), alertsFor(d), "nothing more from a move set aside");
    }

    /**
     * max_age changed during a move (domain put with the covering patterns): a new id, and the move goes on. The safe
     * time stays the one of the policy senders held before the move: a shorter max_age now does not shorten it, and an
     * MX switch at the time the new max_age would suggest is still early.
     */
    @Test
    void aMaxAgeChangedDuringTheMoveKeepsTheSafeTimeOfThePolicyBeforeIt() throws Exception {
        String d = "maxage.example";
        Senders senders = enforced(d, List.of("mail.old.example"), 604800);
        moveMx(d, List.of("mx.new.example"), null, false, List.of());
        assertTrue(advance(d).ready());
        senders.observe("covering policy announced");
        Instant safe = stack.lifecycleOf(d).move().safeAfter();

        stack.clock.advance(Duration.ofHours(1));
        Policy shorter = policy("enforce", List.of("mail.old.example", "mx.new.example"), 3600);
        stack.store.put(new DomainRow(name(d), shorter));
        assertTrue(advance(d).ready());
        senders.observe("shorter max_age announced");
        assertEquals(shorter.id(), txtId(senders.zone, d));
        MxMove move = stack.lifecycleOf(d).move();
        assertEquals(MxMove.Phase.WAITING, move.phase(), "the move goes on");
        assertEquals(safe, move.safeAfter(), "senders may hold the policy of before the move until its own time");

        stack.clock.advance(Duration.ofSeconds(MARGIN + 3600 + 60));
        stack.setMx(senders.zone, d, "mx.new.example"); // when the new max_age alone would have it safe
        schedule(lifecycle);
        assertEquals(1, alertsFor(d).size());
        assertEquals("MTA-STS: mail to maxage.example at risk: MX changed before the safe time", alertsFor(d).get(0)[0]);
        stack.setMx(senders.zone, d, "mail.old.example");

        stack.clock.advance(Duration.between(stack.clock.instant(), safe).plusMinutes(1));
        schedule(lifecycle);
        senders.observe("safe time");
        assertEquals("MTA-STS: maxage.example: safe to move MX to mx.new.example now", alertsFor(d).get(1)[0]);
        stack.setMx(senders.zone, d, "mx.new.example");
        stack.clock.advance(MxWatch.MOVE_LOOK);
        schedule(lifecycle);
        senders.observe("switched and dropped");
        assertEquals(policy("enforce", List.of("mx.new.example"), 3600).id(), txtId(senders.zone, d),
                "the old host dropped, the max_age the user gave kept");
        assertEquals(MxMove.Phase.DONE, stack.lifecycleOf(d).move().phase());
    }

    /**
     * §8.1 counts from when the covering policy's id is announced, not from move-mx: a covering policy held back (here
     * by an MX host of the zone it misses) for two days makes the safe time two days later.
     */
    @Test
    void theSafeTimeCountsFromTheCoveringPolicysAnnouncementNotFromMoveMx() throws Exception {
        String d = "late.example";
        Senders senders = enforced(d, List.of("mail.old.example", "backup.old.example"), 86400);
        stack.setMx(senders.zone, d, "mail.old.example", "other.old.example"); // the user's own change, not covered
        moveMx(d, List.of("mx.new.example"), List.of("mail.old.example"), false, List.of());
        advance(d);
        senders.look("covering policy held back");
        assertEquals("blocked", stack.lifecycleOf(d).state(), "the covering policy misses other.old.example");
        assertTrue(describe(d).contains("its id is being announced"), describe(d));

        stack.clock.advance(Duration.ofDays(2));
        stack.setMx(senders.zone, d, "mail.old.example", "backup.old.example");
        Instant announcedAt = stack.clock.instant();
        assertTrue(advance(d).ready());
        senders.observe("covering policy announced two days later");
        assertEquals(policy("enforce", List.of("mail.old.example", "backup.old.example", "mx.new.example"), 86400).id(),
                txtId(senders.zone, d));
        assertEquals(MxMove.minuteUp(announcedAt.plusSeconds(MARGIN + 86400)), stack.lifecycleOf(d).move().safeAfter());
    }

    /** A policy changed by other means during a move wins: the move is set aside and its wish cleared. */
    @Test
    void aPolicyChangedDuringTheMoveSetsItAside() throws Exception {
        String d = "aside.example";
        Senders senders = enforced(d, List.of("mail.old.example"), 3600);
        moveMx(d, List.of("mx.new.example"), null, false, List.of());
        assertTrue(advance(d).ready());
        stack.store.put(new DomainRow(name(d), policy("enforce", List.of("mail.old.example", "other.example"), 3600)));
        assertTrue(advance(d).ready());
        senders.observe("put during the move");
        assertEquals(MxMove.Phase.SET_ASIDE, stack.lifecycleOf(d).move().phase());
        assertNull(stack.store.find(name(d)).orElseThrow().get(DomainRow.MX_MOVE));
        stack.clock.advance(Duration.ofDays(1));
        schedule(lifecycle);
        assertEquals(List.of(), alertsFor(d), "nothing more from a move set aside");
    }

    /** Under testing nothing waits: the new policy at once, and with --switch-mx the MX records in the same run. */
    @Test
    void underTestingNothingWaits() throws Exception {
        String d = "testing.example";
        String zone = stack.zone(d, "mail.old.example");
        Senders senders = new Senders(d, zone);
        stack.store.put(new DomainRow(name(d), policy("testing", List.of("mail.old.example"), 86400)));
        assertTrue(advance(d).ready());
        senders.observe("testing announced");
        MxMove.Wish wish = moveMx(d, List.of("mx.new.example"), null, true, List.of());
        Policy after = policy("testing", List.of("mx.new.example"), 86400);
        assertEquals("200 " + after.render(), stack.served(d), "served at once");
        assertTrue(advance(d).ready());
        senders.observe("moved");
        assertEquals(after.id(), txtId(zone, d));
        assertEquals("10 mx.new.example.", mx(zone, d));
        Lifecycle lc = stack.lifecycleOf(d);
        assertEquals(MxMove.Phase.DONE, lc.move().phase());
        assertNull(lc.move().safeAfter(), "no enforce policy to wait for");
        assertEquals(wish.asked(), lc.move().asked());

        // testing just after enforce: senders may still hold the enforce policy, so even a testing move waits for it
        String e = "was-enforce.example";
        Senders was = enforced(e, List.of("mail.old.example"), 604800);
        stack.store.put(new DomainRow(name(e), policy("testing", List.of("mail.old.example"), 86400)));
        Instant relaxed = stack.clock.instant();
        assertTrue(advance(e).ready());
        moveMx(e, List.of("mx.new.example"), null, true, List.of());
        assertTrue(advance(e).ready());
        was.observe("testing move right after enforce");
        assertEquals("10 mail.old.example.", mx(was.zone, e), "the enforce policy may still be held");
        assertEquals(MxMove.minuteUp(relaxed.plusSeconds(MARGIN + 604800)), stack.lifecycleOf(e).move().safeAfter());
    }

    @Test
    void aSeededPolicyFollowsTheZonesMxRecordsUnderTesting() throws Exception {
        String d = "seeded.example";
        String zone = stack.zone(d, "mail.old.example");
        Senders senders = new Senders(d, zone);
        assertTrue(stack.store.add(name(d)));
        assertTrue(advance(d).ready());
        senders.observe("seeded");
        Lifecycle lc = stack.lifecycleOf(d);
        Policy seeded = policy("testing", List.of("mail.old.example"), 86400);
        assertEquals(seeded.id(), lc.seeded().id());

        stack.setMx(zone, d, "mx.new.example", "mx2.new.example");
        assertFalse(lifecycle.due(stack.view(d), stack.clock.instant()), "looked at once an hour");
        stack.clock.advance(MxWatch.FOLLOW_LOOK);
        assertTrue(lifecycle.due(stack.view(d), stack.clock.instant()));
        schedule(lifecycle);
        senders.observe("followed");
        Policy followed = policy("testing", List.of("mx.new.example", "mx2.new.example"), 86400);
        assertEquals(followed.id(), txtId(zone, d), "the patterns follow, with a new id");
        assertEquals("200 " + followed.render(), stack.served(d));
        lc = stack.lifecycleOf(d);
        assertEquals(followed.id(), lc.seeded().id());
        assertEquals(List.of("mail.old.example"), lc.seeded().before());
        assertEquals(stack.clock.instant(), lc.seeded().followedAt());

        // once the user writes a policy of their own, it is theirs: it no longer follows
        Policy mine = policy("testing", List.of("mx.new.example"), 86400);
        stack.store.put(new DomainRow(name(d), mine));
        assertTrue(advance(d).ready());
        stack.setMx(zone, d, "mx3.new.example");
        stack.clock.advance(MxWatch.FOLLOW_LOOK.multipliedBy(2));
        assertFalse(lifecycle.due(stack.view(d), stack.clock.instant()));
        schedule(lifecycle);
        assertEquals(mine.id(), txtId(zone, d));

        // a row that was given a policy from the start never follows
        String given = "given.example";
        String z2 = stack.zone(given, "mail.given.example");
        stack.store.put(new DomainRow(name(given), policy("testing", List.of("mail.given.example"), 86400)));
        assertTrue(advance(given).ready());
        assertNull(stack.lifecycleOf(given).seeded());
        stack.setMx(z2, given, "mx.given.example");
        stack.clock.advance(MxWatch.FOLLOW_LOOK.multipliedBy(2));
        assertFalse(lifecycle.due(stack.view(given), stack.clock.instant()));
    }

    /** The stack's writes to the row never overwrite what the user wrote meanwhile. */
    @Test
    void theStacksRowWritesLoseToTheUsers() throws Exception {
        String d = "race.example";
        stack.zone(d, "mail.race.example");
        stack.store.put(new DomainRow(name(d), policy("testing", List.of("mail.race.example"), 86400)));
        assertFalse(stack.store.replaceMx(name(d), List.of("other.example"), List.of("x.example")));
        assertTrue(stack.store.replaceMx(name(d), List.of("mail.race.example"), List.of("x.example")));
        assertEquals(List.of("x.example"), stack.store.find(name(d)).orElseThrow().get(DomainRow.MX));
        MxMove.Wish first = moveMx(d, List.of("mx.race.example"), null, true, List.of());
        assertFalse(stack.store.startMove(new DomainRow(name(d), policy("testing", List.of("y.example"), 86400)),
                first.toPlain()), "one move at a time");
        stack.store.clearMove(name(d), "2000-01-01T00:00:00Z");
        assertTrue(stack.store.find(name(d)).orElseThrow().containsKey(DomainRow.MX_MOVE), "only its own wish is cleared");
    }
}
