package dev.mtasts.lifecycle;

import dev.mtasts.core.Delegation;
import dev.mtasts.core.DomainName;
import dev.mtasts.sender.Dns;
import java.util.ArrayList;
import java.util.List;

/**
 * A delegated domain's records as public DNS answers them (RFC 8461 §8.2): each CNAME the user was asked to publish
 * at the domain's own DNS host is there and points at the stack's name, or the answer says what is there instead.
 * Also the domain's MX hosts, as senders see them: its zone is not in Route53.
 */
final class PublicCnames {
    private final Dns dns;

    PublicCnames(Dns dns) {
        this.dns = dns;
    }

    /** A CNAME that public DNS does not answer as asked: which one, and what is there instead. */
    record Missing(Delegation.Cname cname, String found) {
        /** {@code _mta-sts.example.org. CNAME _mta-sts.example.org.zone. (public DNS has: TXT "v=STSv1; id=1")}. */
        String describe() {
            return Delegation.zoneLine(cname, cname.name().length() + 1) + " (" + found + ")";
        }
    }

    /**
     * The CNAMEs that are not in public DNS as they should be, in the order of {@code cnames}; empty when all are.
     *
     * @throws Dns.Failure when DNS did not answer (a timeout, SERVFAIL): nothing can be said yet
     */
    List<Missing> missing(List<Delegation.Cname> cnames) throws Dns.Failure {
        List<Missing> out = new ArrayList<>();
        for (Delegation.Cname c : cnames) {
            Dns.Answer<String> a = dns.cname(c.name());
            if (a.records().size() == 1 && c.pointsAt(a.records().get(0))) {
                continue;
            }
            if (!a.records().isEmpty()) {
                out.add(new Missing(c, "public DNS has: CNAME " + String.join(", ", a.records()) + ", another target"));
            } else if (a.nxdomain()) {
                out.add(new Missing(c, "public DNS has no such name"));
            } else {
                out.add(new Missing(c, instead(c.name())));
            }
        }
        return out;
    }

    /** What a name holds instead of the CNAME (another host's TXT, addresses), in a few words. */
    private String instead(String name) throws Dns.Failure {
        List<String> found = new ArrayList<>();
        for (List<String> txt : dns.txt(name).records()) {
            found.add("TXT \"" + String.join("", txt) + "\"");
        }
        if (found.isEmpty()) {
            dns.addresses(name).records().forEach(a -> found.add((a instanceof java.net.Inet6Address ? "AAAA " : "A ")
                    + a.getHostAddress()));
        }
        return found.isEmpty() ? "public DNS has no CNAME there" : "public DNS has: " + String.join(", ", found)
                + " instead of the CNAME";
    }

    /** The domain's MX hosts as public DNS answers them, in lower case without the trailing dot. */
    List<String> mxHosts(DomainName domain) throws Dns.Failure {
        return dns.mx(domain.value()).records().stream().map(Dns.Mx::host).toList();
    }

    /** What is missing, for a one-line message. */
    static String describe(List<Missing> missing) {
        return String.join("; ", missing.stream().map(Missing::describe).toList());
    }
}
