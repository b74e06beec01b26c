package dev.mtasts.sender;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Mode;
import dev.mtasts.core.Policy;
import dev.mtasts.core.TlsRptRecord;
import java.net.InetAddress;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A domain as senders see it: DNS ({@code _mta-sts}, {@code _smtp._tls}, MX, the policy host), the policy fetched over
 * HTTPS with the rules senders apply, whether the policy and the MX hosts agree, and optionally each MX host's
 * STARTTLS. Every finding is ok, a warning or an error, with one line saying what is wrong and how to fix it.
 */
public final class DomainCheck {
    /** Strict senders give DNS and HTTPS together this long (postfix-mta-sts-resolver: 4 s). */
    public static final Duration SENDER_BUDGET = Duration.ofSeconds(4);
    /** A certificate that expires sooner than this is a warning. */
    static final long EXPIRY_WARNING_DAYS = 14;

    private final Sender sender;
    private final SmtpProbe smtp;
    private final Clock clock;

    /** @param smtp null: the MX hosts' STARTTLS is not checked */
    public DomainCheck(Sender sender, SmtpProbe smtp, Clock clock) {
        this.sender = sender;
        this.smtp = smtp;
        this.clock = clock;
    }

    public enum Level {
        OK("ok"), WARNING("warning"), ERROR("error"), UNCHECKED("could not check");

        private final String text;

        Level(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** One finding: which check, how bad, and what to do. */
    public record Finding(String check, Level level, String message) {
    }

    /**
     * All findings for a domain, failing ones first; the policy served (if senders take it) and the announced id.
     *
     * @param timings milliseconds of each phase of the policy fetch, DNS included
     */
    public record Report(DomainName domain, List<Finding> findings, Policy policy, String announcedId,
            Map<String, Long> timings) {
        /** The worst level among the findings. */
        public Level worst() {
            return findings.stream().map(Finding::level).max(Comparator.comparingInt(DomainCheck::rank)).orElse(Level.OK);
        }

        public List<Finding> failing() {
            return findings.stream().filter(f -> f.level() == Level.ERROR || f.level() == Level.WARNING).toList();
        }
    }

    /** A domain that delegates {@code _mta-sts}, its policy host or {@code _smtp._tls} by CNAME: where to. */
    private Optional<Finding> delegation(DomainName domain) {
        List<String> delegated = new ArrayList<>();
        for (String name : List.of(domain.stsRecordName(), domain.policyHost(), domain.tlsRptRecordName())) {
            try {
                sender.dns().cname(name).records().forEach(t -> delegated.add(name + " -> " + t));
            } catch (Dns.Failure e) {
                // the checks of each name say what DNS answered
            }
        }
        return delegated.isEmpty() ? Optional.empty() : Optional.of(new Finding("delegation", Level.OK,
                "delegated by CNAME (RFC 8461 §8.2): " + String.join(", ", delegated)));
    }

    static int rank(Level l) {
        return switch (l) {
            case OK -> 0;
            case UNCHECKED -> 1;
            case WARNING -> 2;
            case ERROR -> 3;
        };
    }

    /**
     * @param ours whether the domain is this stack's: its TXT id must then be the id of the body served (the stack
     *     derives it from the body, so a mismatch means the record lags the policy)
     */
    public Report check(DomainName domain, boolean ours) {
        List<Finding> f = new ArrayList<>();
        Map<String, Long> timings = new java.util.LinkedHashMap<>();
        Dns.Answer<Dns.Mx> mxAnswer = null;
        Dns.Failure mxFailure = null;
        try {
            mxAnswer = sender.dns().mx(domain.value());
        } catch (Dns.Failure e) {
            mxFailure = e;
        }
        if (mxAnswer != null && mxAnswer.nxdomain()) {
            // a name that does not exist (often a typo) is one finding, not one per record looked for
            return new Report(domain, List.of(new Finding("domain", Level.ERROR, domain + " does not exist in DNS "
                    + "(NXDOMAIN): is it spelt right?")), null, null, timings);
        }

        // DNS: _mta-sts (RFC 8461 §3.1, §8.2)
        String announcedId = null;
        try {
            Sender.Announcement a = sender.announcement(domain);
            String via = a.cnames().isEmpty() ? "" : " (via CNAME " + String.join(", ", a.cnames()) + ")";
            if (a.record().isPresent()) {
                announcedId = a.record().get().id();
                f.add(new Finding("_mta-sts", Level.OK, "\"" + a.record().get().render() + "\"" + via));
            } else {
                f.add(new Finding("_mta-sts", Level.ERROR, a.problem() + via + ": senders see no MTA-STS policy. Publish "
                        + "exactly one TXT record \"v=STSv1; id=<policy id>\" at " + domain.stsRecordName()));
            }
        } catch (Dns.Failure e) {
            f.add(new Finding("_mta-sts", Level.UNCHECKED, e.getMessage()));
        }

        // RFC 8461 §8.2: _mta-sts and the policy host delegated by CNAME to the host that keeps them
        delegation(domain).ifPresent(f::add);

        // DNS: _smtp._tls (RFC 8460 §3), and that https: endpoints answer
        try {
            Dns.Answer<List<String>> t = sender.dns().txt(domain.tlsRptRecordName());
            Optional<TlsRptRecord> r = TlsRptRecord.discover(t.records());
            if (r.isEmpty()) {
                f.add(new Finding("_smtp._tls", Level.WARNING, "no TLS reporting record: senders cannot tell you when "
                        + "TLS to your MX hosts fails. Publish \"v=TLSRPTv1; rua=mailto:...\" at " + domain.tlsRptRecordName()));
            } else {
                f.add(new Finding("_smtp._tls", Level.OK, "\"" + r.get().render() + "\""));
                for (String rua : r.get().rua()) {
                    if (rua.toLowerCase(java.util.Locale.ROOT).startsWith("https:")) {
                        f.add(reportEndpoint(rua));
                    }
                }
            }
        } catch (InvalidException e) {
            f.add(new Finding("_smtp._tls", Level.ERROR, e.getMessage() + ": senders ignore the record and send no reports"));
        } catch (Dns.Failure e) {
            f.add(new Finding("_smtp._tls", Level.UNCHECKED, e.getMessage()));
        }

        // DNS: MX
        List<String> mxHosts = new ArrayList<>();
        if (mxAnswer != null) {
            for (Dns.Mx mx : mxAnswer.records()) {
                mxHosts.add(mx.host());
            }
            f.add(mxHosts.isEmpty()
                    ? new Finding("mx", Level.ERROR, domain + " has no MX record: a policy has nothing to protect")
                    : new Finding("mx", Level.OK, String.join(", ", mxHosts)));
        } else {
            f.add(new Finding("mx", Level.UNCHECKED, mxFailure.getMessage()));
        }

        // HTTPS: the policy as senders fetch it (§3.3)
        Policy policy = null;
        try {
            Sender.Fetched got = sender.fetch(domain);
            PolicyFetch.Timings t = got.result().timings();
            timings.put("dns", got.dnsMillis());
            timings.put("connect", t.connect());
            timings.put("tls", t.tls());
            timings.put("first_byte", t.firstByte());
            timings.put("total", got.dnsMillis() + t.total());
            f.add(new Finding("policy host", Level.OK, domain.policyHost() + " is " + got.address().getHostAddress()));
            f.add(certificate("https certificate", domain.policyHost(), got.result().chain(), null));
            if (got.problems().isEmpty()) {
                policy = got.policy();
                f.add(new Finding("https policy", Level.OK, policy.mode() + ", mx " + String.join(" ",
                        policy.mx().stream().map(Object::toString).toList()) + ", max_age " + policy.maxAge()
                        + ", " + got.result().answer().body().length + " bytes, " + got.result().tlsVersion()));
            } else {
                got.problems().forEach(p -> f.add(new Finding("https policy", Level.ERROR, p)));
            }
            long total = got.dnsMillis() + t.total();
            f.add(total > SENDER_BUDGET.toMillis()
                    ? new Finding("https time", Level.ERROR, "the fetch took " + total + " ms: strict senders give up after "
                            + SENDER_BUDGET.toSeconds() + " s and treat the domain as having no policy")
                    : total > SENDER_BUDGET.toMillis() / 2
                    ? new Finding("https time", Level.WARNING, "the fetch took " + total + " ms of the ~"
                            + SENDER_BUDGET.toSeconds() + " s strict senders allow")
                    : new Finding("https time", Level.OK, total + " ms (DNS " + got.dnsMillis() + ", connect " + t.connect()
                            + ", TLS " + t.tls() + ", first byte " + t.firstByte() + "; strict senders allow ~"
                            + SENDER_BUDGET.toSeconds() + " s)"));
        } catch (Dns.Failure e) {
            f.add(new Finding("policy host", Level.UNCHECKED, e.getMessage()));
        } catch (PolicyFetch.Failure e) {
            f.add(new Finding(e.phase().equals("resolve") ? "policy host" : "https", Level.ERROR, e.getMessage()
                    + (e.phase().equals("tls") ? ": senders do not fetch the policy over a certificate that fails" : "")));
        }

        // consistency: MX coverage (§4.1) and the id (§3.1)
        if (policy != null && !mxHosts.isEmpty() && policy.mode() != Mode.NONE) {
            List<String> uncovered = policy.uncovered(mxHosts);
            if (uncovered.isEmpty()) {
                f.add(new Finding("mx coverage", Level.OK, "every MX host matches a policy pattern"));
            } else {
                String fix = "add " + String.join(", ", uncovered.stream().map(h -> "\"mx: " + h + "\"").toList())
                        + " to the policy, or change the MX records";
                f.add(policy.mode() == Mode.ENFORCE
                        ? new Finding("mx coverage", Level.ERROR, "MX " + String.join(", ", uncovered) + " matches no "
                                + "pattern of the enforce policy: senders refuse to deliver mail there; " + fix)
                        : new Finding("mx coverage", Level.WARNING, "MX " + String.join(", ", uncovered) + " matches no "
                                + "pattern: under enforce senders would refuse mail there; " + fix));
            }
        }
        if (policy != null && announcedId != null) {
            if (policy.id().equals(announcedId)) {
                f.add(new Finding("id", Level.OK, "the TXT id is the id of the body served"));
            } else if (ours) {
                f.add(new Finding("id", Level.ERROR, "the TXT id " + announcedId + " is not the id of the body served ("
                        + policy.id() + "): senders that cached an older body will not fetch this one"));
            }
        }

        // SMTP: each MX host's STARTTLS (§4.2), when asked for
        if (smtp != null) {
            for (String mx : mxHosts) {
                f.add(smtp(mx, policy));
            }
        }
        f.sort(Comparator.comparingInt((Finding x) -> -rank(x.level())));
        return new Report(domain, List.copyOf(f), policy, announcedId, timings);
    }

    /** An {@code https:} report address must take a TLS connection on a certificate valid for its host. */
    private Finding reportEndpoint(String rua) {
        String check = "_smtp._tls endpoint";
        URI uri;
        try {
            uri = new URI(rua);
        } catch (java.net.URISyntaxException e) {
            return new Finding(check, Level.UNCHECKED, rua + ": the host cannot be read (" + e.getReason() + ")");
        }
        String host = uri.getHost();
        if (host == null) {
            return new Finding(check, Level.UNCHECKED, rua + ": no host name to check");
        }
        try {
            List<InetAddress> addresses = sender.dns().addresses(host).records();
            if (addresses.isEmpty()) {
                return new Finding(check, Level.ERROR, rua + ": " + host + " does not resolve: reports sent there are lost");
            }
            // no port: the HTTPS port the policy hosts are asked on, so a test set-up's is used for both
            String problem = sender.tlsProblem(host, addresses.get(0), uri.getPort());
            return problem == null ? new Finding(check, Level.OK, rua + " takes TLS connections on a valid certificate")
                    : new Finding(check, Level.ERROR, rua + ": " + problem + ": reports sent there are lost");
        } catch (Dns.Failure e) {
            return new Finding(check, Level.UNCHECKED, e.getMessage());
        }
    }

    private Finding certificate(String check, String host, List<X509Certificate> chain, String problem) {
        if (problem != null) {
            return new Finding(check, Level.ERROR, host + ": " + problem);
        }
        if (chain.isEmpty()) {
            return new Finding(check, Level.ERROR, host + " showed no certificate");
        }
        Instant notAfter = chain.get(0).getNotAfter().toInstant();
        long days = Duration.between(clock.instant(), notAfter).toDays();
        String issuer = chain.get(0).getIssuerX500Principal().getName();
        return days < EXPIRY_WARNING_DAYS
                ? new Finding(check, Level.WARNING, host + ": the certificate expires in " + days + " days (" + notAfter
                        + "): renew it before senders refuse it")
                : new Finding(check, Level.OK, host + ": valid for the name, " + days + " days left, issued by " + issuer);
    }

    private Finding smtp(String mx, Policy policy) {
        String check = "smtp " + mx;
        try {
            List<InetAddress> addresses = sender.dns().addresses(mx).records();
            if (addresses.isEmpty()) {
                return new Finding(check, Level.ERROR, mx + " does not resolve: mail to it cannot be delivered");
            }
            SmtpProbe.Result r = smtp.probe(mx, addresses.get(0));
            boolean enforce = policy != null && policy.mode() == Mode.ENFORCE;
            if (!r.startTls()) {
                return new Finding(check, enforce ? Level.ERROR : Level.WARNING, mx + " does not offer STARTTLS"
                        + (enforce ? ": under enforce senders refuse to deliver mail to it" : ""));
            }
            Finding cert = certificate(check, mx, r.chain(), r.certificateProblem());
            if (cert.level() == Level.ERROR) {
                return new Finding(check, enforce ? Level.ERROR : Level.WARNING, cert.message()
                        + (enforce ? ": under enforce senders refuse to deliver mail to it" : ": under enforce senders would refuse it"));
            }
            return new Finding(check, cert.level(), "STARTTLS, " + r.tlsVersion() + "; " + cert.message());
        } catch (Dns.Failure e) {
            return new Finding(check, Level.UNCHECKED, e.getMessage());
        } catch (SmtpProbe.Failure e) {
            return new Finding(check, e.phase().equals("blocked") ? Level.UNCHECKED : Level.ERROR, e.getMessage());
        }
    }
}
