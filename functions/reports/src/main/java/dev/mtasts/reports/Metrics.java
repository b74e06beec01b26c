package dev.mtasts.reports;

import dev.mtasts.core.report.ResultTypes;
import dev.mtasts.store.Emf;
import dev.mtasts.store.ReportStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The reports' CloudWatch metrics. Every metric is also published without dimensions so that stack-wide alarms
 * work without knowing the domains. Dimension values are bounded (served domains, registered result types): each
 * new value is a new metric CloudWatch bills for, and a sender must not be able to mint them.
 */
public final class Metrics {
    private final Emf emf;

    public Metrics(Consumer<String> out, Clock clock) {
        this.emf = new Emf(out, clock);
    }

    /**
     * Per domain of a stored report: sessions succeeded and failed, and failed sessions by result type (types
     * outside the IANA registry as {@code other}).
     */
    public void stored(ReportStore.Counted report) {
        report.domains().forEach((domain, c) -> {
            emf.put(List.of(List.of("Domain"), List.of()), Map.of("Domain", domain),
                    Map.of("SessionsSucceeded", c.successful(), "SessionsFailed", c.failed()),
                    Map.of("Organization", report.organization() == null ? "" : report.organization()));
            Map<String, Long> byType = new TreeMap<>();
            c.failures().forEach((type, count) -> byType.merge(ResultTypes.reserved(type) ? type : ResultTypes.OTHER,
                    count, dev.mtasts.core.report.TlsReport::plus));
            byType.forEach((type, count) -> emf.put(List.of(List.of("Domain", "ResultType")),
                    Map.of("Domain", domain, "ResultType", type), Map.of("FailedSessions", count), Map.of()));
        });
    }

    /** One rejected delivery, by where it came from ({@code https}, {@code s3}). */
    public void rejected(String source, String reason) {
        emf.put(List.of(List.of("Source"), List.of()), Map.of("Source", source), Map.of("ReportsRejected", 1L),
                Map.of("Reason", reason));
    }

    /**
     * Objects in the bucket's {@code incoming/} waiting more than a day (every retry failed), counted by the hourly
     * sweep: 0 when all is well, so the alarm sees the value, not a missing one.
     */
    public void waiting(long count) {
        emf.put(List.of(List.of()), Map.of(), Map.of("ReportsWaiting", count), Map.of());
    }

    /** Stored reports whose metrics or alert failed this time; the stream hands them over again. */
    public void noticesFailed(long count) {
        emf.put(List.of(List.of()), Map.of(), Map.of("ReportNoticesFailed", count), Map.of());
    }
}
