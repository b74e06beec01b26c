package dev.mtasts.store;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * What the reports table holds on some domains over some days, read in one go for pictures of them: each day's
 * summary ({@link ReportStore.Day}) and each report's item (who sent it, what it counted, and its bounded copy of
 * the policies and their largest failure details, which name MX hosts and IP addresses).
 *
 * <p>Report items are keyed by report, not by domain, so this is one scan of the whole table, in eventually
 * consistent reads (a report stored a second ago may be missing): half a read unit per 4 KB of table, some 5,000
 * units (well under a cent on demand) for 40 MB.
 */
public final class ReportHistory {
    private ReportHistory() {
    }

    /** A failure detail as a report item keeps it (at most {@link ReportStore#MAX_DETAILS} a report, the largest). */
    public record Failure(String resultType, long count, String receivingMx, String sendingIp, String receivingIp) {
    }

    /**
     * A policy entry as a report item keeps it; {@code mode} and {@code policyId} when it was an {@code sts} entry
     * with a readable policy string (null in items written before they were kept).
     */
    public record Entry(String type, String domain, long successful, long failed, String mode, String policyId,
            List<Failure> failures, long failuresOmitted) {
        public Entry {
            failures = List.copyOf(failures);
        }
    }

    /** One stored report: its sender, its day, what it counted per domain, and its policy entries. */
    public record Report(String organization, LocalDate day, Map<String, ReportStore.DomainCount> counted,
            List<Entry> entries) {
        public Report {
            counted = Map.copyOf(counted);
            entries = List.copyOf(entries);
        }
    }

    /** Days' summaries (by domain, oldest first) and reports (oldest first) of the domains asked for. */
    public record History(List<ReportStore.Day> days, List<Report> reports) {
        public History {
            days = List.copyOf(days);
            reports = List.copyOf(reports);
        }
    }

    /**
     * Days from {@code from} to {@code to} (both included) of the given domains, or of every domain when
     * {@code domains} is empty. A report counting several domains is kept whole when it counts one asked for.
     * Unreadable items are left out.
     */
    public static History read(ReportStore store, Set<String> domains, LocalDate from, LocalDate to) {
        List<ReportStore.Day> days = new ArrayList<>();
        List<Report> reports = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            ScanRequest.Builder s = ScanRequest.builder().tableName(store.table())
                    .filterExpression("(begins_with(pk, :dp) AND sk BETWEEN :d0 AND :d1)"
                            + " OR (sk = :r AND #day BETWEEN :from AND :to)")
                    .expressionAttributeNames(Map.of("#day", "day"))
                    .expressionAttributeValues(Map.of(":dp", AttributeValue.fromS("domain#"),
                            ":d0", AttributeValue.fromS("day#" + from), ":d1", AttributeValue.fromS("day#" + to),
                            ":r", AttributeValue.fromS("report"),
                            ":from", AttributeValue.fromS(from.toString()), ":to", AttributeValue.fromS(to.toString())));
            if (start != null) {
                s.exclusiveStartKey(start);
            }
            ScanResponse page = DomainStore.call(() -> store.client().scan(s.build()));
            for (Map<String, AttributeValue> item : page.items()) {
                AttributeValue sk = item.get("sk");
                if (sk != null && "report".equals(sk.s())) {
                    Report r = report(Items.toPlain(item));
                    if (r != null && (domains.isEmpty() || r.counted().keySet().stream().anyMatch(domains::contains))) {
                        reports.add(r);
                    }
                } else {
                    ReportStore.Day d = ReportStore.day(item);
                    if (d != null && (domains.isEmpty() || domains.contains(d.domain()))) {
                        days.add(d);
                    }
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        days.sort(Comparator.comparing(ReportStore.Day::domain).thenComparing(ReportStore.Day::date));
        reports.sort(Comparator.comparing(Report::day)
                .thenComparing(r -> r.organization() == null ? "" : r.organization()));
        return new History(days, reports);
    }

    /** A report item as plain values; null without a readable day. */
    static Report report(Map<String, Object> item) {
        ReportStore.Counted counted = ReportStore.Counted.of(item);
        if (counted.day() == null) {
            return null;
        }
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
                    entries.add(new Entry(text(p.get("type")), text(p.get("domain")), count(p.get("successful")),
                            count(p.get("failed")), text(p.get("mode")), text(p.get("policy_id")), failures,
                            count(p.get("failures_omitted"))));
                }
            }
        }
        return new Report(counted.organization(), counted.day(), counted.domains(), entries);
    }

    private static String text(Object o) {
        return o instanceof String s ? s : null;
    }

    private static long count(Object o) {
        return o instanceof BigDecimal d ? ReportStore.number(AttributeValue.fromN(d.toPlainString())) : 0;
    }
}
