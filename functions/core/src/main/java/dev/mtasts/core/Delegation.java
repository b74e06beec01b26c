package dev.mtasts.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * RFC 8461 §8.2: a domain whose DNS is not in Route53 delegates its policy host and {@code _mta-sts} (and, the same
 * way, {@code _smtp._tls}, and the certificate's validation record) to the stack by CNAME records published once at
 * its own DNS host. Behind them, under the stack's delegation zone, the stack keeps the records current:
 * {@code <domain>.<zone>} (A/AAAA to the policy host's custom domain), {@code _mta-sts.<domain>.<zone>} (TXT, the id
 * following the policy) and {@code _smtp._tls.<domain>.<zone>} (TXT).
 *
 * @param domain the mail domain
 * @param zone the delegation zone's name, lower case without a trailing dot
 */
public record Delegation(DomainName domain, String zone) {

    public Delegation {
        zone = trimDot(zone).toLowerCase(Locale.ROOT);
    }

    /** Where {@code mta-sts.<domain>} points: the stack's A and AAAA records of the policy host. */
    public String policyHostTarget() {
        return domain.value() + "." + zone;
    }

    /** Where {@code _mta-sts.<domain>} points: the stack's TXT announcing the policy's id (§3.1). */
    public String stsTarget() {
        return domain.stsRecordName() + "." + zone;
    }

    /** Where {@code _smtp._tls.<domain>} points: the stack's TLSRPT record (RFC 8460 §3). */
    public String tlsRptTarget() {
        return domain.tlsRptRecordName() + "." + zone;
    }

    /** A CNAME the user publishes at the domain's own DNS host: owner and target, no trailing dots. */
    public record Cname(String name, String target) {
        public Cname {
            name = trimDot(name).toLowerCase(Locale.ROOT);
            target = trimDot(target).toLowerCase(Locale.ROOT);
        }

        /** Whether a target DNS gives (any case, with or without the trailing dot) is this one's. */
        public boolean pointsAt(String other) {
            return other != null && trimDot(other).equalsIgnoreCase(target);
        }
    }

    /**
     * The records to publish once, in the order a user types them: the policy host, {@code _mta-sts},
     * {@code _smtp._tls}, then ACM's validation record ({@code name value}) once ACM has named it (null: not yet).
     */
    public List<Cname> cnames(String validation) {
        List<Cname> out = new ArrayList<>();
        out.add(new Cname(domain.policyHost(), policyHostTarget()));
        out.add(new Cname(domain.stsRecordName(), stsTarget()));
        out.add(new Cname(domain.tlsRptRecordName(), tlsRptTarget()));
        if (validation != null && validation.contains(" ")) {
            String[] v = validation.split(" ", 2);
            out.add(new Cname(v[0], v[1]));
        }
        return out;
    }

    /** Zone-file lines, names aligned: {@code mta-sts.example.org.  CNAME  example.org.mta-sts.example.net.}. */
    public static List<String> zoneLines(List<Cname> cnames) {
        int width = cnames.stream().mapToInt(c -> c.name().length() + 1).max().orElse(0);
        return cnames.stream().map(c -> zoneLine(c, width)).toList();
    }

    /** One zone-file line, the name padded to {@code width}. */
    public static String zoneLine(Cname c, int width) {
        return String.format(Locale.ROOT, "%-" + width + "s  CNAME  %s.", c.name() + ".", c.target());
    }

    private static String trimDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
