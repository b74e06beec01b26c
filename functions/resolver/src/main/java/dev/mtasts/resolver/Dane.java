package dev.mtasts.resolver;

import dev.mtasts.sender.Dns;
import java.util.ArrayList;
import java.util.List;

/**
 * DANE before MTA-STS (RFC 8461 §2: a sender must not let MTA-STS override DANE): what DNSSEC says of a domain's MX
 * hosts, as the validating resolver on this host reports it with the AD bit (RFC 7672 §2.2).
 *
 * <p>DANE applies when the MX records are validated and at least one MX host has validated, usable TLSA records.
 * Postfix is then told {@code dane-only}: it looks the TLSA records up again itself, through the same resolver
 * ({@code smtp_dns_support_level = dnssec}), checks each server's certificate against them, and delivers only to an
 * MX host whose certificate they authenticate; an MX host without TLSA records is not delivered to, so that a domain
 * with DANE on some of its hosts never gets less than DANE. A TLSA lookup that fails (a bogus answer, SERVFAIL, no
 * answer) with the MX records validated leaves DANE possible, and RFC 7672 §2.2 does not let a sender deliver to such
 * a host without it: Postfix is told {@code dane-only} too, looks the records up again and defers what they do not
 * authenticate. Answering MTA-STS instead would let a certificate any public CA issued stand in for the TLSA records
 * that an attacker who can break DNS answers hides (RFC 8461 §2: MTA-STS must not override DANE). The state is asked
 * again at the domain's next lookup after {@code cache_grace}.
 *
 * @param tlsa the MX hosts with usable TLSA records
 * @param failed a TLSA lookup failed, so that DANE may apply though no host is known to have records
 * @param why for the log: which hosts have TLSA records and which do not, or why DANE does or does not apply
 */
public record Dane(List<String> tlsa, boolean failed, String why) {

    public Dane {
        tlsa = List.copyOf(tlsa);
    }

    public boolean applies() {
        return failed || !tlsa.isEmpty();
    }

    static Dane not(String why) {
        return new Dane(List.of(), false, why);
    }

    /**
     * RFC 7672 §3.1: in SMTP only DANE-TA(2) and DANE-EE(3) records are usable, with a full certificate or key (0, 1)
     * and the whole data (0), a SHA-256 (1, 32 bytes) or a SHA-512 (2, 64 bytes) digest.
     */
    static boolean usable(Dns.Tlsa t) {
        boolean usage = t.usage() == 2 || t.usage() == 3;
        boolean selector = t.selector() == 0 || t.selector() == 1;
        boolean data = switch (t.matchingType()) {
            case 0 -> t.length() > 0;
            case 1 -> t.length() == 32;
            case 2 -> t.length() == 64;
            default -> false;
        };
        return usage && selector && data;
    }

    /**
     * Asks the TLSA records of the hosts of a validated MX answer ({@code hosts}: the MX hosts, or the domain itself
     * without MX records).
     */
    static Dane check(Dns dns, Dns.Answer<Dns.Mx> mx, List<String> hosts) {
        if (!mx.validated()) {
            return not("the MX records are not DNSSEC-validated");
        }
        List<String> with = new ArrayList<>();
        List<String> without = new ArrayList<>();
        for (String host : hosts) {
            Dns.Answer<Dns.Tlsa> t;
            try {
                t = dns.tlsa(host);
            } catch (Dns.Failure e) {
                return new Dane(List.of(), true, "the TLSA lookup for " + host + " failed (" + e.getMessage()
                        + "), so DANE may apply: Postfix looks the records up itself and delivers only where they"
                        + " authenticate the server (RFC 7672 §2.2)");
            }
            if (!t.validated()) {
                without.add(host + " (not validated)");
            } else if (t.records().stream().anyMatch(Dane::usable)) {
                with.add(host);
            } else {
                without.add(host + (t.records().isEmpty() ? "" : " (no usable TLSA record)"));
            }
        }
        if (with.isEmpty()) {
            return not("DNSSEC-validated MX records, but no MX host has usable TLSA records");
        }
        return new Dane(with, false, "DNSSEC-validated MX records; usable TLSA records for " + String.join(", ", with)
                + (without.isEmpty() ? "" : "; none for " + String.join(", ", without)
                + ", where Postfix will not deliver (dane-only)"));
    }
}
