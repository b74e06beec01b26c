package dev.mtasts.resolver;

import dev.mtasts.core.Mode;
import dev.mtasts.core.MxPattern;
import java.time.Duration;
import java.time.Instant;

/**
 * A socketmap reply ({@code OK …}, {@code NOTFOUND }, {@code TEMP …}, {@code PERM …}) and, for the log, why it is the
 * one given.
 *
 * <p>For Postfix's TLS policy table (smtp_tls_policy_maps), {@code OK secure match=a:b servername=hostname} makes
 * the SMTP client require TLS with a certificate valid for one of {@code a}, {@code b}, and send the MX host's name by
 * SNI (RFC 8461 §4.2); {@code OK dane-only} makes it authenticate each MX host by its DNSSEC-validated TLSA records
 * (RFC 7672) and deliver to none without them; {@code NOTFOUND} leaves the delivery to the rest of the Postfix
 * settings; {@code TEMP} makes it defer the mail, which is what §5 asks when an {@code enforce} policy leaves no MX
 * host to deliver to.
 */
public record Answer(String reply, String reason) {
    /** Postfix refuses socketmap replies longer than this (socketmap_table(5)). */
    static final int MAX_REPLY = 100_000;

    public static Answer notFound(String reason) {
        return new Answer("NOTFOUND ", reason);
    }

    public static Answer temp(String reason) {
        return new Answer("TEMP " + reason, reason);
    }

    public static Answer perm(String reason) {
        return new Answer("PERM " + reason, reason);
    }

    /**
     * What a cached policy means for a delivery under a zone's settings. Where the policy asks for something (enforce,
     * or testing with strict_testing) and DANE applies to the domain's MX hosts, DANE is the answer (RFC 8461 §2).
     */
    public static Answer of(CachedPolicy p, Zone zone, Instant now) {
        String about = p.policy().mode() + " policy " + p.id() + ", fetched " + ago(p.fetched(), now) + ", valid "
                + span(Duration.between(now, p.expires())) + " more"
                + (p.failure() == null ? "" : "; the last refresh failed (" + p.failure() + ")");
        Mode mode = p.policy().mode();
        if (mode == Mode.NONE) {
            return notFound(about + ": mode none asks for nothing");
        }
        if (mode == Mode.TESTING && !zone.strictTesting()) {
            return notFound(about + ": testing asks senders to deliver whatever TLS finds (strict_testing is off"
                    + " for " + zone.name() + ")");
        }
        MxHosts mx = p.mx();
        if (mx.nullMx()) {
            return notFound(about + "; " + p.domain() + " takes no mail (null MX, RFC 7505)");
        }
        if (zone.dane() && mx.dane() != null && mx.dane().applies()) {
            return new Answer("OK dane-only", "DANE before MTA-STS (RFC 8461 §2): " + mx.dane().why() + "; the " + about
                    + " is not used");
        }
        if (mx.matching().isEmpty()) {
            String why = mx.problem() != null ? mx.problem()
                    : "no MX host of " + p.domain() + " (" + String.join(", ", mx.others()) + ") matches the policy's mx "
                            + p.policy().mx().stream().map(MxPattern::value).toList();
            if (zone.tlsrpt() && mx.problem() == null) {
                // Postfix connects, fails the policy and reports the failure to the domain, instead of deferring unseen
                return new Answer("OK secure" + (zone.requireSni() ? " servername=hostname" : "")
                        + Tlsrpt.attributes(p.domain(), p.policy(), Tlsrpt.NO_MX_MATCHES),
                        "MTA-STS " + about + "; " + why + ": Postfix fails the policy (" + Tlsrpt.NO_MX_MATCHES
                                + "), reports it to " + p.domain() + " and defers the mail");
            }
            return temp("MTA-STS " + about + "; " + why + ": deferred until the policy or the MX records change");
        }
        StringBuilder r = new StringBuilder("OK secure match=").append(String.join(":", mx.matching()));
        if (zone.requireSni()) {
            r.append(" servername=hostname");
        }
        if (zone.tlsrpt()) {
            r.append(Tlsrpt.attributes(p.domain(), p.policy(), null));
        }
        if (r.length() > MAX_REPLY) {
            return temp("MTA-STS policy " + p.id() + " of " + p.domain() + ": more MX hosts than a socketmap reply holds");
        }
        String reason = about + (mode == Mode.TESTING ? " (testing, answered as enforce: strict_testing is on for "
                + zone.name() + ")" : "") + "; MX " + String.join(", ", mx.matching()) + (mx.matching().size() == 1
                ? " matches" : " match") + (mx.others().isEmpty() ? "" : "; " + String.join(", ", mx.others())
                + " matches no pattern, so Postfix will not accept its certificate")
                + (mx.problem() == null ? "" : " (" + mx.problem() + ")")
                + (zone.dane() && mx.dane() != null ? "; no DANE: " + mx.dane().why() : "");
        return new Answer(r.toString(), reason);
    }

    /** No policy to apply. */
    public static Answer of(Miss miss, Instant now) {
        return notFound(miss.reason() + " (" + ago(miss.at(), now) + ")");
    }

    static String ago(Instant then, Instant now) {
        Duration d = Duration.between(then, now);
        return d.isNegative() || d.toMillis() < 1000 ? "just now" : span(d) + " ago";
    }

    /** {@code 45 s}, {@code 3 min}, {@code 5 h}, {@code 6 d}: enough for a log line. */
    static String span(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 120) {
            return s + " s";
        }
        if (s < 120 * 60) {
            return s / 60 + " min";
        }
        if (s < 48 * 3600) {
            return s / 3600 + " h";
        }
        return s / 86400 + " d";
    }
}
