package dev.mtasts.resolver;

import dev.mtasts.core.MxPattern;
import dev.mtasts.core.Policy;
import dev.mtasts.sender.Dns;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A domain's MX hosts split by its policy (RFC 8461 §4.1): those a pattern matches, in MX order (preference, then
 * name), and the others. Postfix is given the matching names exactly, so it accepts a certificate only for a host the
 * policy allows, however many labels a {@code .example.com} in its match list would take.
 *
 * @param nullMx the domain publishes {@code MX 0 .}: it takes no mail (RFC 7505)
 * @param problem why the hosts are not known, null when they are
 */
public record MxHosts(List<String> matching, List<String> others, boolean nullMx, String problem, Instant resolved) {

    public MxHosts {
        matching = List.copyOf(matching);
        others = List.copyOf(others);
    }

    /** The hosts of an MX answer; without MX records the domain itself is the host (RFC 5321 §5.1). */
    public static MxHosts of(String domain, List<Dns.Mx> records, Policy policy, Instant now) {
        List<String> hosts = new ArrayList<>();
        for (Dns.Mx mx : records) {
            hosts.add(mx.host());
        }
        if (hosts.size() == 1 && (hosts.get(0).isEmpty() || hosts.get(0).equals("."))) {
            return new MxHosts(List.of(), List.of(), true, null, now);
        }
        if (hosts.isEmpty()) {
            hosts.add(domain);
        }
        Set<String> matching = new LinkedHashSet<>();
        Set<String> others = new LinkedHashSet<>();
        for (String host : hosts) {
            if (host.isEmpty() || host.equals(".")) {
                continue;
            }
            boolean match = false;
            for (MxPattern p : policy.mx()) {
                match |= p.matches(host);
            }
            (match ? matching : others).add(host);
        }
        return new MxHosts(new ArrayList<>(matching), new ArrayList<>(others), false, null, now);
    }

    public static MxHosts unknown(String problem, Instant now) {
        return new MxHosts(List.of(), List.of(), false, problem, now);
    }

    /** For a {@code mode: none} policy, whose MX hosts do not matter. */
    public static MxHosts notNeeded(Instant now) {
        return new MxHosts(List.of(), List.of(), false, null, now);
    }
}
