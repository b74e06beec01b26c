package dev.mtasts.resolver;

import dev.mtasts.core.Policy;
import java.time.Instant;

/**
 * A valid policy as fetched (RFC 8461 §3.3), cached for its {@code max_age} from the fetch (§5.1), with what was
 * learnt since.
 *
 * @param id the {@code _mta-sts} id announced when the policy was fetched
 * @param fetched when it was fetched: it expires {@code max_age} seconds later, whatever DNS says meanwhile
 * @param checked when the id was last asked (or a fetch last tried)
 * @param failure why the last refresh failed, null when it did not
 */
public record CachedPolicy(String domain, String id, Policy policy, Instant fetched, Instant checked, MxHosts mx,
        String failure) {

    public Instant expires() {
        return fetched.plusSeconds(policy.maxAge());
    }

    public boolean valid(Instant now) {
        return now.isBefore(expires());
    }

    /** The id is unchanged: nothing to fetch; the MX hosts as found now. */
    public CachedPolicy rechecked(Instant at, MxHosts hosts) {
        return new CachedPolicy(domain, id, policy, fetched, at, hosts, null);
    }

    /** A refresh failed: this policy still applies until it expires (§5.1), and the failure is not retried at once. */
    public CachedPolicy refreshFailed(Instant at, String why) {
        return new CachedPolicy(domain, id, policy, fetched, at, mx, why);
    }
}
