package dev.mtasts.core.report;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An SMTP TLS report (RFC 8460 §4), as received: every field but {@code policies} and, in each policy, its type and
 * the two counts may be absent (null).
 *
 * @param digest the report's identity ({@link ReportIdentity}) when it is known already: a report whose policy domains
 *     were filled in keeps the identity of the report as its sender wrote it; null to work it out from the content
 * @param unknown top-level keys this version does not know, with their JSON text
 */
public record TlsReport(String organization, String reportId, Instant start, Instant end, String contactInfo,
        List<PolicyResult> policies, String digest, Map<String, String> unknown) {

    /** The domain under which reports that name none are kept (never dropped). */
    public static final String UNATTRIBUTED = "(unattributed)";

    /** RFC 8460 §4.3: the policy type of sessions to which no policy was applied. */
    public static final String NO_POLICY_FOUND = "no-policy-found";

    public TlsReport {
        policies = List.copyOf(policies);
        unknown = Map.copyOf(unknown);
    }

    /**
     * What makes two deliveries the same report: the SHA-256 of its content in a canonical form, hex
     * ({@link ReportIdentity}). Not the e-mail subject or file name (RFC 8460 §5.6), and not organisation and
     * report-id alone, which anyone can send first.
     */
    public String identity() {
        return digest != null ? digest : ReportIdentity.of(this);
    }

    /** The UTC day the report's sessions are counted on: the day its range starts (else ends). */
    public LocalDate day() {
        Instant at = start != null ? start : end;
        return at == null ? null : LocalDate.ofInstant(at, ZoneOffset.UTC);
    }

    /** Fills in the domain of policies that name none, from the file name or the e-mail header. */
    public TlsReport attributedTo(String fallbackDomain) {
        if (fallbackDomain == null || policies.stream().allMatch(p -> p.domain() != null)) {
            return this;
        }
        List<PolicyResult> filled = new ArrayList<>();
        for (PolicyResult p : policies) {
            filled.add(p.domain() == null ? p.withDomain(fallbackDomain) : p);
        }
        return new TlsReport(organization, reportId, start, end, contactInfo, filled, identity(), unknown);
    }

    /**
     * Sessions per domain (RFC 8460 §4.3: each policy entry counts the sessions it was applied to). Within one policy
     * type, entries are added up (a policy that changed during the range is two entries). Across types
     * ({@link #acrossPolicyTypes}):
     * <ul>
     *   <li>{@code sts}, {@code tlsa} (and any type not registered) may describe the same sessions: Microsoft checks
     *       each session against the domain's DANE and MTA-STS policies and lists it under both. Those count as many
     *       sessions as the largest type, and as failed every session that any one type failed (the largest failure
     *       count), so ok + failed never exceeds what the report describes; each result type keeps the largest
     *       count any type gave it;</li>
     *   <li>{@code no-policy-found} sessions are other sessions (no policy was applied to them: Google lists the
     *       sessions before a domain's policy was first fetched there), so they are added to those.</li>
     * </ul>
     * Sums stop at {@link Long#MAX_VALUE} rather than wrap.
     */
    public Map<String, DomainTotals> totalsByDomain() {
        Map<String, Map<String, Sums>> byDomainAndType = new TreeMap<>();
        for (PolicyResult p : policies) {
            String domain = p.domain() == null ? UNATTRIBUTED : p.domain();
            Sums sums = byDomainAndType.computeIfAbsent(domain, d -> new TreeMap<>())
                    .computeIfAbsent(NO_POLICY_FOUND.equalsIgnoreCase(p.type()) ? NO_POLICY_FOUND : p.type(), t -> new Sums());
            sums.successful = plus(sums.successful, p.successful());
            sums.failed = plus(sums.failed, p.failed());
            for (FailureDetail f : p.failures()) {
                String type = f.resultType() == null ? ResultTypes.UNKNOWN : f.resultType();
                long[] sum = sums.failures.get(type);
                if (sum == null) {
                    sum = new long[1];
                    sums.failures.put(type, sum);
                }
                sum[0] = plus(sum[0], f.count());
            }
        }
        Map<String, DomainTotals> out = new TreeMap<>();
        byDomainAndType.forEach((domain, byType) -> {
            Map<String, Map<String, Long>> sessions = new HashMap<>();
            Map<String, Map<String, Long>> failures = new HashMap<>();
            byType.forEach((type, t) -> {
                sessions.put(type, Map.of(SESSIONS, plus(t.successful, t.failed), FAILED, t.failed));
                Map<String, Long> f = new HashMap<>();
                t.failures.forEach((k, v) -> f.put(k, v[0]));
                failures.put(type, f);
            });
            Map<String, Long> counted = acrossPolicyTypes(sessions);
            long failed = counted.getOrDefault(FAILED, 0L);
            out.put(domain, new DomainTotals(counted.getOrDefault(SESSIONS, 0L) - failed, failed,
                    new TreeMap<>(acrossPolicyTypes(failures))));
        });
        return out;
    }

    private static final String SESSIONS = "sessions";
    private static final String FAILED = "failed";

    /**
     * One domain's counts in one report, from the counts of each of its policy types (RFC 8460 §4.3): {@code sts},
     * {@code tlsa} and any type not registered may describe the same sessions, so a key counts the largest count any
     * of them gave it; {@code no-policy-found} counts other sessions, added to that. Used for sessions, failed sessions,
     * result types and the hosts and addresses failure details name.
     */
    public static <K> Map<K, Long> acrossPolicyTypes(Map<String, ? extends Map<K, Long>> byType) {
        Map<K, Long> out = new HashMap<>();
        byType.forEach((type, counts) -> {
            if (!NO_POLICY_FOUND.equalsIgnoreCase(type)) {
                counts.forEach((k, n) -> out.merge(k, n, Math::max));
            }
        });
        byType.forEach((type, counts) -> {
            if (NO_POLICY_FOUND.equalsIgnoreCase(type)) {
                counts.forEach((k, n) -> out.merge(k, n, TlsReport::plus));
            }
        });
        return out;
    }

    /**
     * One domain's and policy type's sums as they are added up: a count per result type in place, not a new Long
     * for each of a large report's entries.
     */
    private static final class Sums {
        long successful;
        long failed;
        final Map<String, long[]> failures = new HashMap<>();
    }

    /** a + b, or {@link Long#MAX_VALUE} where that would overflow (counts are never negative). */
    public static long plus(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** A domain's sessions in one report. */
    public record DomainTotals(long successful, long failed, Map<String, Long> failures) {
        public DomainTotals {
            failures = Map.copyOf(failures);
        }
    }
}
