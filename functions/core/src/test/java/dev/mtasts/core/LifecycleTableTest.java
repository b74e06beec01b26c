package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.Lifecycle.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lifecycle's table, the step a row asks for, and which body the policy host serves (RFC 8461 §8.1). */
class LifecycleTableTest {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    static Policy policy(String mode, String mx, long maxAge) throws InvalidException {
        return Policy.of(mode, mx == null ? List.of() : List.of(mx), Long.toString(maxAge));
    }

    @Test
    void theTableGoesFromZoneToReadyAndRemovesInReverse() {
        List<Step> up = new ArrayList<>();
        for (Step s = Step.ZONE; up.isEmpty() || s != Step.READY; s = s.next()) {
            up.add(s);
        }
        up.add(Step.READY);
        assertEquals(Lifecycle.provisioning(), up);
        assertTrue(up.indexOf(Step.LIVE_CHECK) < up.indexOf(Step.ANNOUNCE), "§8.1: the body is live before its id");
        assertTrue(up.indexOf(Step.ALIAS) < up.indexOf(Step.LIVE_CHECK), "the host exists before it is checked");
        assertTrue(up.indexOf(Step.CONFLICTS) < up.indexOf(Step.CERTIFICATE), "nothing is created before the conflict check");
        List<Step> down = new ArrayList<>();
        for (Step s = Step.WITHDRAW_ANNOUNCEMENT; s != null; s = s.next()) {
            down.add(s);
        }
        assertEquals(List.of(Step.WITHDRAW_ANNOUNCEMENT, Step.WITHDRAW_REPORTING, Step.WITHDRAW_ALIAS,
                Step.DELETE_CUSTOM_DOMAIN, Step.DELETE_CERTIFICATE, Step.DELETE_ROW), down, "_mta-sts first, the row last");
        assertEquals(Step.READY, Step.READY.next());
        assertEquals(Step.READY, Step.MX.next(), "the MX records are looked at from ready, and back");
        assertFalse(Step.MX.removing());
    }

    /** The step a row asks for, given where its lifecycle is. */
    @Test
    void theRowsWishesComeFirst() throws Exception {
        Policy p1 = policy("testing", "mail.example.com", 86400);
        Policy p2 = policy("enforce", "mail.example.com", 604800);
        Lifecycle ready = Lifecycle.start(NOW).at(Step.READY, "", NOW).withAccepted(p1.id())
                .withAnnounced(new Lifecycle.Announced(p1.id(), p1.render()));
        Lifecycle atCertificate = Lifecycle.start(NOW).at(Step.CERTIFICATE, "", NOW);
        Lifecycle removing = Lifecycle.start(NOW).at(Step.WITHDRAW_ALIAS, "", NOW);
        Lifecycle liveChecking = ready.at(Step.LIVE_CHECK, "", NOW).withAccepted(p2.id());
        Object[][] cases = {
            {"ready, same policy", ready, p1, false, Step.READY},
            {"ready, a new policy goes back to the MX check", ready, p2, false, Step.DECIDE},
            {"ready, the row became invalid", ready, null, false, Step.SEED},
            {"provisioning, a new policy changes nothing yet", atCertificate, p2, false, Step.CERTIFICATE},
            {"live check of the accepted policy", liveChecking, p2, false, Step.LIVE_CHECK},
            {"live check, the policy changed again", liveChecking, p1, false, Step.DECIDE},
            {"removal asked for", ready, p1, true, Step.WITHDRAW_ANNOUNCEMENT},
            {"removal under way", removing, p1, true, Step.WITHDRAW_ALIAS},
            {"removal withdrawn", removing, p1, false, Step.ZONE},
            {"served locally, then an emulator", Lifecycle.local(NOW), p1, false, Step.ZONE},
        };
        for (Object[] c : cases) {
            assertEquals(c[4], ((Lifecycle) c[1]).stepFor((Policy) c[2], (Boolean) c[3]), (String) c[0]);
        }
        assertTrue(ready.atRest(p1, false));
        assertFalse(ready.atRest(p2, false));
        assertFalse(ready.atRest(p1, true));
    }

    /**
     * §8.1, §5: a change is served at once, except an enforce policy the MX check has not passed: senders keep the
     * announced body (or get none) until the new one may be announced too.
     */
    @Test
    void theBodyServedNeverRunsAheadOfAnEnforcePolicysMxCheck() throws Exception {
        Policy announced = policy("testing", "mail.example.com", 86400);
        Policy enforce = policy("enforce", "mail.example.com", 604800);
        Policy testing2 = policy("testing", "mx.example.com", 86400);
        Lifecycle.Announced a = new Lifecycle.Announced(announced.id(), announced.render());
        Lifecycle base = Lifecycle.start(NOW).withAnnounced(a);
        Object[][] cases = {
            {"nothing known about the domain (a replaced row)", enforce, null, null},
            {"nothing announced yet", enforce, Lifecycle.start(NOW), null},
            {"nothing announced, accepted", enforce, Lifecycle.start(NOW).withAccepted(enforce.id()), enforce},
            {"a testing policy with nothing announced", testing2, null, testing2},
            {"the local stack without an emulator", enforce, Lifecycle.local(NOW), enforce},
            {"the announced policy itself", announced, base, announced},
            {"a testing change", testing2, base, testing2},
            {"an enforce change being decided", enforce, base, announced},
            {"an enforce change refused", enforce, base.withRefused(new Lifecycle.Refusal(enforce.id(), "misses mx2")), announced},
            {"an enforce change accepted, being checked live", enforce, base.withAccepted(enforce.id()), enforce},
        };
        for (Object[] c : cases) {
            assertEquals(c[3] == null ? null : ((Policy) c[3]).render(), Lifecycle.bodyToServe((Policy) c[1], (Lifecycle) c[2]),
                    (String) c[0]);
        }
    }

    /** A status describes the row's current policy, never the outcome of a run on an older one. */
    @Test
    void theStatusShownIsAboutTheCurrentPolicy() throws Exception {
        Policy enforce = policy("enforce", "mail.example.com", 604800);
        Policy testing = policy("testing", "mail.example.com", 3600);
        Lifecycle refused = Lifecycle.start(NOW).at(Step.DECIDE, "", NOW)
                .withRefused(new Lifecycle.Refusal(enforce.id(), "misses mx2"))
                .blockedBy("not announced: misses mx2", NOW, NOW.plusSeconds(900));
        assertEquals(new Lifecycle.Status("blocked", "not announced: misses mx2"), refused.status(enforce, false));
        Lifecycle.Status after = refused.status(testing, false);
        assertEquals("decide", after.state());
        assertTrue(after.detail().startsWith("the policy changed (id " + testing.id() + ")"), after.detail());
        assertEquals("withdraw-announcement", refused.status(enforce, true).state());
    }

    @Test
    void whatIsStoredIsWhatIsReadBack() throws Exception {
        Policy p = policy("enforce", "mail.example.com", 604800);
        Lifecycle lc = Lifecycle.start(NOW).withZone("Z1", "example.com")
                .withCertificate("arn:aws:acm:eu-west-1:1:certificate/x", "_a.mta-sts.example.com _b.acm-validations.aws.")
                .withTarget("d-1.execute-api.eu-west-1.amazonaws.com Z2").withAccepted(p.id())
                .withRefused(new Lifecycle.Refusal("old", "why")).withLive(p.id()).withReporting("v=TLSRPTv1; rua=x")
                .withAnnounced(new Lifecycle.Announced(p.id(), p.render()))
                .withLease(new Lifecycle.Lease("me", NOW.plusSeconds(180))).blockedBy("needs you", NOW, NOW.plusSeconds(900));
        Map<String, Object> stored = lc.toPlain();
        Map<String, Object> item = Map.of("domain", "example.com", Lifecycle.ATTRIBUTE, numbersAsDynamoDbReads(stored));
        assertEquals(lc, Lifecycle.of(item));
        assertEquals("blocked", Lifecycle.of(item).state());
        assertNull(Lifecycle.of(Map.of("domain", "example.com")), "no lifecycle yet");
        assertNull(Lifecycle.of(Map.of("domain", "x.example", Lifecycle.ATTRIBUTE, Map.of("step", "nonsense"))));
    }

    /** DynamoDB gives numbers back as BigDecimal. */
    @SuppressWarnings("unchecked")
    static Object numbersAsDynamoDbReads(Object v) {
        if (v instanceof Number n) {
            return new java.math.BigDecimal(n.toString());
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, e) -> out.put(k, numbersAsDynamoDbReads(e)));
            return out;
        }
        return v;
    }
}
