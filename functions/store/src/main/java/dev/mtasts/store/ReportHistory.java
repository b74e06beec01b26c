package dev.mtasts.store;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What the reports table holds on one domain over some days, for pictures of them: each report's share kept for the
 * domain (its days' summaries are {@link ReportStore#days}) (who sent it, what it counted, and its
 * bounded copy of the policies and their largest failure details, which name MX hosts and IP addresses).
 *
 * <p>Both live in the domain's partition, keyed by day, so reading some days of a domain is two queries of those
 * days, in eventually consistent reads (a report stored a second ago may be missing): what the rest of the table
 * holds, other domains or other days, costs nothing. Items are handed over as they are read, a page (at most 1 MB)
 * at a time, so a reader that keeps only its sums holds no more than that.
 */
public final class ReportHistory {
    private ReportHistory() {
    }

    /** A failure detail as a report item keeps it (at most {@link ReportStore#MAX_DETAILS} a report, the largest). */
    public record Failure(String resultType, long count, String receivingMx, String sendingIp, String receivingIp) {
    }

    /**
     * A policy entry as a report item keeps it; {@code mode} and {@code policyId} when it was an {@code sts} entry
     * with a readable policy string.
     */
    public record Entry(String type, long successful, long failed, String mode, String policyId,
            List<Failure> failures, long failuresOmitted) {
        public Entry {
            failures = List.copyOf(failures);
        }
    }

    /** One stored report's share for the domain: its sender, its day, what it counted, and its policy entries. */
    public record Report(String organization, LocalDate day, ReportStore.DomainCount counted, List<Entry> entries) {
        public Report {
            entries = List.copyOf(entries);
        }
    }

    /** Hands over the domain's shares of reports from {@code from} to {@code to} (both included), oldest first. */
    public static void reports(ReportStore store, String domain, LocalDate from, LocalDate to, Consumer<Report> reports) {
        // "~" sorts after every digit and letter of an identity
        store.query(domain, "report#" + from, "report#" + to + "#~", false, item -> {
            Report r = report(Items.toPlain(item));
            if (r != null) {
                reports.accept(r);
            }
        });
    }

    /** A domain's share of a report as plain values; null without a readable day. */
    static Report report(Map<String, Object> item) {
        LocalDate day;
        try {
            day = item.get("day") instanceof String d ? LocalDate.parse(d) : null;
        } catch (java.time.format.DateTimeParseException e) {
            day = null;
        }
        if (day == null) {
            return null;
        }
        Map<?, ?> c = item.get("counted") instanceof Map<?, ?> m ? m : Map.of();
        Map<String, Long> countedFailures = new java.util.TreeMap<>();
        if (c.get("failures") instanceof Map<?, ?> f) {
            f.forEach((type, n) -> countedFailures.put(String.valueOf(type), count(n)));
        }
        ReportStore.DomainCount counted = new ReportStore.DomainCount(count(c.get("successful")),
                count(c.get("failed")), countedFailures, null, null, null);
        List<Entry> entries = new ArrayList<>();
        if (item.get("policies") instanceof List<?> policies) {
            for (Object o : policies) {
                if (o instanceof Map<?, ?> p) {
                    List<Failure> failures = new ArrayList<>();
                    if (p.get("failures") instanceof List<?> fs) {
                        for (Object f : fs) {
                            if (f instanceof Map<?, ?> d) {
                                failures.add(new Failure(text(d.get("result_type")), count(d.get("count")),
                                        text(d.get("receiving_mx")), text(d.get("sending_ip")),
                                        text(d.get("receiving_ip"))));
                            }
                        }
                    }
                    entries.add(new Entry(text(p.get("type")), count(p.get("successful")), count(p.get("failed")),
                            text(p.get("mode")), text(p.get("policy_id")), failures, count(p.get("failures_omitted"))));
                }
            }
        }
        return new Report(text(item.get("organization")), day, counted, entries);
    }

    private static String text(Object o) {
        return o instanceof String s ? s : null;
    }

    private static long count(Object o) {
        return o instanceof BigDecimal d ? ReportStore.number(AttributeValue.fromN(d.toPlainString())) : 0;
    }
}
