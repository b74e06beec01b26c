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
 * @param dane what DNSSEC says of the hosts (DANE before MTA-STS); null when it was not asked
 */
public record MxHosts(List<String> matching, List<String> others, boolean nullMx, String problem, Instant resolved,
        Dane dane) {

    public MxHosts {
        matching = List.copyOf(matching);
        others = List.copyOf(others);
    }

    /** The hosts of an MX answer, in MX order; without MX records the domain itself (RFC 5321 §5.1); none for a null MX. */
    public static List<String> hosts(String domain, List<Dns.Mx> records) {
        if (records.size() == 1 && (records.get(0).host().isEmpty() || records.get(0).host().equals("."))) {
            return List.of();
        }
        if (records.isEmpty()) {
            return List.of(domain);
        }
        Set<String> out = new LinkedHashSet<>();
        for (Dns.Mx mx : records) {
            if (!mx.host().isEmpty() && !mx.host().equals(".")) {
                out.add(mx.host());
            }
        }
        return new ArrayList<>(out);
    }

    public static MxHosts of(String domain, List<Dns.Mx> records, Policy policy, Instant now, Dane dane) {
        List<String> hosts = hosts(domain, records);
        if (hosts.isEmpty()) {
            return new MxHosts(List.of(), List.of(), true, null, now, null);
        }
        List<String> matching = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (String host : hosts) {
            boolean match = false;
            for (MxPattern p : policy.mx()) {
                match |= p.matches(host);
            }
            (match ? matching : others).add(host);
        }
        return new MxHosts(matching, others, false, null, now, dane);
    }

    public static MxHosts of(String domain, List<Dns.Mx> records, Policy policy, Instant now) {
        return of(domain, records, policy, now, null);
    }

    public static MxHosts unknown(String problem, Instant now) {
        return new MxHosts(List.of(), List.of(), false, problem, now, null);
    }

    /** For a {@code mode: none} policy, whose MX hosts do not matter. */
    public static MxHosts notNeeded(Instant now) {
        return new MxHosts(List.of(), List.of(), false, null, now, null);
    }
}
