package dev.mtasts.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 8461 §8.1: after a new id is announced, senders may apply the previous policy until its max_age after the new
 * id was seen by every resolver; only enforce policies refuse mail, and the times carry over from one announcement to
 * the next.
 */
class PolicyUpdatesTest {
    static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
    static final long TTL = 300;
    /** published, reached every name server, out of every resolver's cache */
    static final Instant SEEN = T.plusSeconds(60 + TTL);

    static Lifecycle.Announced announced(String mode, long maxAge, Instant earlierUntil) throws Exception {
        Policy p = Policy.of(mode, mode.equals("none") ? List.of() : List.of("mail.example.com"), Long.toString(maxAge));
        return new Lifecycle.Announced(p.id(), p.render(), T.minusSeconds(86400 * 30), null, earlierUntil);
    }

    @Test
    void thePreviousPolicysMaxAgeAfterTheNewIdIsSeen() throws Exception {
        Object[][] cases = {
            {"nothing announced before: nothing to wait for", null, null},
            {"an enforce policy: its max_age after the new id is seen", announced("enforce", 604800, null),
                SEEN.plusSeconds(604800)},
            {"an enforce policy with max_age 0: the id's time to be seen", announced("enforce", 0, null), SEEN},
            {"a testing policy never refuses mail", announced("testing", 604800, null), null},
            {"none never refuses mail", announced("none", 86400, null), null},
            {"testing, replacing an enforce policy senders may still hold: that one's time carries over",
                announced("testing", 86400, T.plusSeconds(100_000)), T.plusSeconds(100_000)},
            {"enforce, replacing one held longer: the longer time", announced("enforce", 3600, T.plusSeconds(100_000)),
                T.plusSeconds(100_000)},
            {"enforce, replacing one held shorter: its own", announced("enforce", 604800, T.plusSeconds(100)),
                SEEN.plusSeconds(604800)},
            {"an announcement of an earlier version (no times): its own max_age",
                new Lifecycle.Announced("x", Policy.of("enforce", List.of("a.example"), "86400").render()),
                SEEN.plusSeconds(86400)},
            {"a body that cannot be read: the longest max_age there is", new Lifecycle.Announced("x", "garbage"),
                SEEN.plusSeconds(Policy.MAX_AGE_LIMIT)},
        };
        for (Object[] c : cases) {
            assertEquals(c[2], PolicyUpdates.earlierEnforcedUntil(T, TTL, (Lifecycle.Announced) c[1]), (String) c[0]);
        }
    }

    @Test
    void anAnnouncementKeepsWhatItReplacedAndUntilWhen() throws Exception {
        Lifecycle.Announced before = announced("enforce", 604800, null);
        Policy next = Policy.of("enforce", List.of("mail.example.com", "mx.example.net"), "604800");
        Lifecycle.Announced a = Lifecycle.Announced.replacing(before, next.id(), next.render(), T, TTL);
        assertEquals(T, a.at());
        assertEquals(before.policy(), a.previous());
        assertEquals(SEEN.plusSeconds(604800), a.earlierUntil());
        assertTrue(PolicyUpdates.earlierMayBeHeld(a, SEEN.plusSeconds(604799)));
        assertFalse(PolicyUpdates.earlierMayBeHeld(a, SEEN.plusSeconds(604800)));
        assertFalse(PolicyUpdates.earlierMayBeHeld(new Lifecycle.Announced("x", "y"), T), "nothing known: nothing said");
    }
}
