package dev.mtasts.core;

import java.time.Duration;
import java.time.Instant;

/**
 * RFC 8461 §8.1, Policy Updates: a sender keeps applying the policy it cached until that policy's {@code max_age} has
 * passed (§3.2, §5.1), and it learns of a new policy only from a new id in {@code _mta-sts}, once that record has
 * reached it: "a policy will continue to be used by senders until both the HTTPS and TXT endpoints are updated and the
 * TXT record's TTL has passed", so "old policies [must] continue to work for message delivery during this period".
 *
 * <p>The rule this project keeps: after a new id is announced, a sender may still apply the previous policy until
 * that policy's {@code max_age} after the new id was announced, where announced means seen by every resolver (the
 * change published, reached every name server, and the record's TTL passed in resolvers' caches). A sender that held
 * an even earlier policy may apply that one until its own time, so the times carry over from one announcement to the
 * next. Only {@code enforce} policies refuse mail; {@code testing} and {@code none} are never waited for.
 */
public final class PolicyUpdates {
    /** A change published to Route53 reaches all of its name servers within about a minute. */
    public static final Duration PROPAGATION = Duration.ofSeconds(60);

    private PolicyUpdates() {
    }

    /**
     * §8.1: until when a sender may still apply an {@code enforce} policy announced before the id published at
     * {@code published}, which replaced {@code previous}; null when no earlier policy can refuse mail (nothing was
     * announced before, or nothing enforce). For a move of MX hosts this is the safe time: after it, every sender
     * holds the new policy or none.
     *
     * @param txtTtl the TTL of the {@code _mta-sts} record, in seconds
     * @param previous what {@code _mta-sts} announced before, with the body it stood for; null for nothing
     */
    public static Instant earlierEnforcedUntil(Instant published, long txtTtl, Lifecycle.Announced previous) {
        if (previous == null) {
            return null;
        }
        Instant seenEverywhere = published.plus(PROPAGATION).plusSeconds(txtTtl);
        Instant own = null;
        try {
            Policy p = Policy.parse(previous.policy());
            own = p.mode() == Mode.ENFORCE ? seenEverywhere.plusSeconds(p.maxAge()) : null;
        } catch (InvalidException e) {
            // a body the stack announced is valid; an unreadable one can only be waited for by the longest max_age
            own = seenEverywhere.plusSeconds(Policy.MAX_AGE_LIMIT);
        }
        return later(own, previous.earlierUntil());
    }

    /** Whether a sender may still apply a policy announced before {@code announced}, at {@code now}. */
    public static boolean earlierMayBeHeld(Lifecycle.Announced announced, Instant now) {
        return announced != null && announced.earlierUntil() != null && announced.earlierUntil().isAfter(now);
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }
}
