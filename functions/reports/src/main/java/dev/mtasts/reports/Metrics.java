package dev.mtasts.reports;

import dev.mtasts.core.report.TlsReport;
import dev.mtasts.store.Emf;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The reports' CloudWatch metrics. Every metric is also published without dimensions so that stack-wide alarms
 * work without knowing the domains.
 */
public final class Metrics {
    private final Emf emf;

    public Metrics(Consumer<String> out, Clock clock) {
        this.emf = new Emf(out, clock);
    }

    /** Per domain of a stored report: sessions succeeded and failed, and failed sessions by result type. */
    public void stored(TlsReport report) {
        report.totalsByDomain().forEach((domain, t) -> {
            emf.put(List.of(List.of("Domain"), List.of()), Map.of("Domain", domain),
                    Map.of("SessionsSucceeded", t.successful(), "SessionsFailed", t.failed()),
                    Map.of("Organization", report.organization() == null ? "" : report.organization()));
            t.failures().forEach((type, count) -> emf.put(List.of(List.of("Domain", "ResultType")),
                    Map.of("Domain", domain, "ResultType", type), Map.of("FailedSessions", count), Map.of()));
        });
    }

    /** One rejected delivery, by where it came from ({@code https}, {@code s3}). */
    public void rejected(String source, String reason) {
        emf.put(List.of(List.of("Source"), List.of()), Map.of("Source", source), Map.of("ReportsRejected", 1L),
                Map.of("Reason", reason));
    }
}
