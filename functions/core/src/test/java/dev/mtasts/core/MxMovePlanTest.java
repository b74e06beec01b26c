package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.MxMove.Phase;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A move of MX hosts: what the user may ask for, the table of phases, and what each phase says. */
class MxMovePlanTest {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    static Policy policy(String mode, String... mx) throws InvalidException {
        return Policy.of(mode, List.of(mx), "604800");
    }

    @Test
    void theOldHostsAreThePatternsTheNewOnesDoNotCover() throws Exception {
        Object[][] cases = {
            {"one host for another", policy("enforce", "mail.old.example"), List.of("mx.new.example"), null,
                List.of("mail.old.example"), List.of("mail.old.example", "mx.new.example"), List.of("mx.new.example")},
            {"a wildcard covers the hosts it matches", policy("enforce", "mx1.example.net", "mail.old.example"),
                List.of("*.example.net"), null, List.of("mail.old.example"),
                List.of("mx1.example.net", "mail.old.example", "*.example.net"), List.of("mx1.example.net", "*.example.net")},
            {"a host does not cover a wildcard", policy("enforce", "*.example.net"), List.of("mx1.example.net"), null,
                List.of("*.example.net"), List.of("*.example.net", "mx1.example.net"), List.of("mx1.example.net")},
            {"a host already in the policy stays", policy("enforce", "a.example", "b.example"),
                List.of("b.example", "c.example"), null, List.of("a.example"),
                List.of("a.example", "b.example", "c.example"), List.of("b.example", "c.example")},
            {"--from names what leaves", policy("enforce", "a.example", "b.example"), List.of("c.example"),
                List.of("b.example"), List.of("b.example"), List.of("a.example", "b.example", "c.example"),
                List.of("a.example", "c.example")},
            {"an addition: nothing leaves", policy("enforce", "a.example"), List.of("a.example", "c.example"), null,
                List.of(), List.of("a.example", "c.example"), List.of("a.example", "c.example")},
            {"patterns in any case", policy("enforce", "mail.old.example"), List.of("MX.New.Example"), null,
                List.of("mail.old.example"), List.of("mail.old.example", "mx.new.example"), List.of("mx.new.example")},
        };
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            MxMove.Wish w = MxMove.Wish.of((Policy) c[1], (List<String>) c[2], (List<String>) c[3], false, List.of(), NOW);
            assertEquals(c[4], w.from(), c[0] + ": from");
            assertEquals(c[5], w.covering(), c[0] + ": while waiting");
            assertEquals(c[6], w.after(), c[0] + ": after");
        }
    }

    @Test
    void whatCannotBeAMoveIsSaidInTheUsersTerms() throws Exception {
        Policy p = policy("enforce", "mail.example.com", "*.mx.example.net");
        record Case(String name, List<String> to, List<String> from, boolean switchMx, List<Integer> priorities,
                String says) {
        }
        List<Case> cases = List.of(
                new Case("no --to", List.of(), null, false, List.of(), "--to needs at least one MX host pattern"),
                new Case("not a pattern", List.of("mx..example"), null, false, List.of(), "--to: \"mx..example\" is not a valid mx pattern"),
                new Case("--from not in the policy", List.of("mx.new.example"), List.of("other.example"), false, List.of(),
                        "--from other.example is not a pattern of the policy (mx mail.example.com *.mx.example.net)"),
                new Case("both ways", List.of("mx.new.example"), List.of("mx.new.example"), false, List.of(),
                        "mx.new.example is in both --from and --to"),
                new Case("nothing to move", List.of("mail.example.com"), List.of(), false, List.of(),
                        "nothing to move: the policy names mail.example.com already and no pattern leaves it"),
                new Case("a wildcard cannot be an MX record", List.of("*.new.example"), null, true, List.of(),
                        "--switch-mx writes MX records, which name hosts: *.new.example is a pattern; give the hosts"),
                new Case("one priority per host", List.of("a.new.example", "b.new.example"), null, true, List.of(10),
                        "--to-priority needs one priority per --to host (2), got 1"),
                new Case("an MX priority", List.of("a.new.example"), null, true, List.of(70000),
                        "--to-priority 70000 is not an MX priority (0 to 65535)"),
                new Case("priorities are for --switch-mx", List.of("a.new.example"), null, false, List.of(10),
                        "--to-priority is for --switch-mx (the stack writes the MX records)"));
        for (Case c : cases) {
            InvalidException e = assertThrows(InvalidException.class,
                    () -> MxMove.Wish.of(p, c.to(), c.from(), c.switchMx(), c.priorities(), NOW), c.name());
            assertTrue(e.problems().stream().anyMatch(x -> x.message().startsWith(c.says())), c.name() + ": " + e.problems());
        }
    }

    @Test
    void underEnforceThePolicyCoversBothUnderTestingItMovesAtOnce() throws Exception {
        MxMove.Wish w = MxMove.Wish.of(policy("enforce", "mail.old.example"), List.of("mx.new.example"), null, false,
                List.of(), NOW);
        assertEquals(policy("enforce", "mail.old.example", "mx.new.example"), w.policyNow(policy("enforce", "mail.old.example")));
        assertTrue(w.forTheStack(policy("enforce", "mail.old.example")));
        assertEquals(policy("testing", "mx.new.example"), w.policyNow(policy("testing", "mail.old.example")));
        assertFalse(w.forTheStack(policy("testing", "mail.old.example")), "nothing for the stack to carry out");
        MxMove.Wish switching = MxMove.Wish.of(policy("testing", "mail.old.example"), List.of("mx.new.example"), null,
                true, List.of(), NOW);
        assertTrue(switching.forTheStack(policy("testing", "mail.old.example")), "the MX records to switch");
    }

    @Test
    void thePhasesAreATable() {
        List<Phase> way = new ArrayList<>();
        for (Phase p = Phase.COVERING; p != null; p = p.next()) {
            way.add(p);
        }
        assertEquals(List.of(Phase.COVERING, Phase.WAITING, Phase.SWITCH, Phase.DROPPING, Phase.DONE), way,
                "§8.1: covered and announced, waited for, switched, then the old hosts dropped");
        assertTrue(Phase.CANCELLED.over() && Phase.SET_ASIDE.over() && Phase.DONE.over());
        assertFalse(Phase.WAITING.over());
        for (Phase p : Phase.values()) {
            assertEquals(p, Phase.parse(p.text()));
        }
    }

    @Test
    void whatEachPhaseSays() throws Exception {
        Policy old = policy("enforce", "mail.old.example");
        MxMove.Wish w = MxMove.Wish.of(old, List.of("mx.new.example"), null, false, List.of(), NOW);
        Instant safe = Instant.parse("2026-12-08T10:06:00.001Z");
        Lifecycle.Announced announcedOld = new Lifecycle.Announced(old.id(), old.render());
        MxMove waiting = MxMove.start(w, NOW).waitingFor(old.render(), safe, NOW);
        Policy coveringPolicy = policy("enforce", "mail.old.example", "mx.new.example");
        Lifecycle.Announced covering = new Lifecycle.Announced(coveringPolicy.id(), coveringPolicy.render());
        Object[][] cases = {
            {"asked, not looked at yet", null, announcedOld, "the policy now covers mx.new.example beside "
                + "mail.old.example; its id is being announced, then change your MX records once the previous policy's "
                + "max_age (604800 s) has passed since; domain get shows the time then; the stack drops mail.old.example "
                + "from the policy once no MX record names it"},
            {"waiting", waiting, null, "the policy now covers mx.new.example; change your MX records after "
                + "2026-12-08T10:07Z (senders may hold the previous policy until then); the stack drops mail.old.example "
                + "from the policy once no MX record names it"},
            {"switched too early", waiting.withOldRecords(List.of("10 mail.old.example.")).withEarly(List.of("mx.new.example"), NOW),
                null, "the policy now covers mx.new.example; change your MX records after 2026-12-08T10:07Z (senders "
                + "may hold the previous policy until then); the stack drops mail.old.example from the policy once no "
                + "MX record names it. WARNING: since 2026-12-01T10:00Z the MX records name mx.new.example, which the "
                + "previous policy (id " + old.id() + ") does not cover: senders that cached it will not deliver to it "
                + "until 2026-12-08T10:07Z. Put the old MX records back (10 mail.old.example.), or accept the risk until "
                + "then (the move carries on by itself)"},
            {"safe", waiting.at(Phase.SWITCH, MxMove.minuteUp(safe)), null, "safe since 2026-12-08T10:07Z: senders hold the policy "
                + "that covers mx.new.example; change your MX records to mx.new.example; the stack drops "
                + "mail.old.example from the policy once no MX record names it"},
            {"dropping", waiting.at(Phase.DROPPING, NOW), null, "no MX record names mail.old.example since "
                + "2026-12-01T10:00Z; the policy without it is being announced"},
            {"cancelled", waiting.at(Phase.CANCELLED, NOW), null, "cancelled at 2026-12-01T10:00Z: the policy is back to "
                + "what it was before"},
            {"set aside", waiting.at(Phase.SET_ASIDE, NOW), null, "set aside at 2026-12-01T10:00Z: the row was changed "
                + "after move-mx (other mx patterns, or written without the move); the MX records are yours to change"},
            {"switched too early to a host the move is not for", waiting.withOldRecords(List.of("10 mail.old.example."))
                .withEarly(List.of("mx.third.example"), NOW), covering, "the policy now covers mx.new.example; change "
                + "your MX records after 2026-12-08T10:07Z (senders may hold the previous policy until then); the stack "
                + "drops mail.old.example from the policy once no MX record names it. WARNING: since 2026-12-01T10:00Z "
                + "the MX records name mx.third.example, which the previous policy (id " + old.id() + ") does not "
                + "cover: senders that cached it will not deliver to it until 2026-12-08T10:07Z. mx.third.example is "
                + "not in the policy announced now (id " + covering.id() + ") either: senders will not deliver to it "
                + "after that time either (this move is to mx.new.example). Put the old MX records back (10 "
                + "mail.old.example.), or those of the move (mx.new.example) and accept the risk until then"},
        };
        for (Object[] c : cases) {
            MxMove m = (MxMove) c[1];
            assertEquals(c[3], MxMove.describe(m != null && m.phase().over() ? null : w, m, (Lifecycle.Announced) c[2], NOW),
                    (String) c[0]);
        }
        assertNull(MxMove.describe(null, null, announcedOld, NOW), "no move");
        assertEquals(List.of("mx.new.example"), waiting.missedByPrevious(List.of("mail.old.example", "mx.new.example")));
        assertEquals(List.of(), MxMove.start(w, NOW).waitingFor(policy("testing", "a.example").render(), null, NOW)
                .missedByPrevious(List.of("mx.new.example")), "a testing policy refuses nothing");
    }

    @Test
    void whatIsStoredIsWhatIsReadBack() throws Exception {
        MxMove.Wish w = MxMove.Wish.of(policy("enforce", "mail.old.example"), List.of("mx.new.example"), null, true,
                List.of(5), NOW);
        Map<String, Object> row = Map.of("domain", "example.com", DomainRow.MX_MOVE,
                LifecycleTableTest.numbersAsDynamoDbReads(w.toPlain()));
        @SuppressWarnings("unchecked")
        Map<String, Object> stored = (Map<String, Object>) row.get(DomainRow.MX_MOVE);
        stored = new java.util.LinkedHashMap<>(stored);
        stored.put("to_priority", List.of(new BigDecimal(5)));
        assertEquals(w, MxMove.Wish.of(Map.of(DomainRow.MX_MOVE, stored)));
        assertNull(MxMove.Wish.of(Map.of("domain", "example.com")));

        MxMove m = MxMove.start(w, NOW).waitingFor("version: STSv1\r\n", NOW.plusSeconds(60), NOW)
                .withOldRecords(List.of("10 mail.old.example.")).withEarly(List.of("mx.new.example"), NOW)
                .withNote("a note");
        assertEquals(m, MxMove.of(m.toPlain()));
        Lifecycle lc = Lifecycle.start(NOW).withMove(m).withSeeded(new Lifecycle.Seeded("id1", NOW, NOW, List.of("a.example")))
                .withAnnounced(Lifecycle.Announced.replacing(new Lifecycle.Announced("old", "body"), "new", "body2", NOW, 300));
        assertEquals(lc, Lifecycle.of(Map.of("domain", "example.com", Lifecycle.ATTRIBUTE,
                LifecycleTableTest.numbersAsDynamoDbReads(lc.toPlain()))));
    }

    @Test
    void aSafeTimeIsNeverSaidEarlierThanItIs() {
        assertEquals("2026-12-08T10:06Z", MxMove.minute(Instant.parse("2026-12-08T10:06:00Z")));
        assertEquals("2026-12-08T10:07Z", MxMove.minute(Instant.parse("2026-12-08T10:06:00.001Z")));
        assertEquals("2026-12-08T10:07Z", MxMove.minute(Instant.parse("2026-12-08T10:06:59Z")));
    }
}
