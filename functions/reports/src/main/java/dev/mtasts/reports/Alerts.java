package dev.mtasts.reports;

import dev.mtasts.core.report.FailureDetail;
import dev.mtasts.core.report.PolicyResult;
import dev.mtasts.core.report.TlsReport;
import java.util.Comparator;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One short message per stored report that has failures: domain, reporter, counts, the main result types and one
 * sample MX and IP. Sent to SNS when {@code ALERT_TOPIC_ARN} is set.
 */
public final class Alerts {
    private final BiConsumer<String, String> publish;

    /** @param publish takes a subject (at most 100 characters) and a body; null sends nothing */
    public Alerts(BiConsumer<String, String> publish) {
        this.publish = publish;
    }

    public static Alerts none() {
        return new Alerts(null);
    }

    void onStored(TlsReport report) {
        if (publish == null) {
            return;
        }
        report.totalsByDomain().forEach((domain, t) -> {
            if (t.failed() == 0) {
                return;
            }
            String reporter = report.organization() == null ? "an unnamed reporter" : report.organization();
            String subject = "MTA-STS: " + t.failed() + " failed TLS sessions for " + domain + " (" + reporter + ")";
            StringBuilder body = new StringBuilder();
            body.append(reporter).append(" reports for ").append(domain).append(", ")
                    .append(report.day() == null ? "an unknown day" : report.day()).append(":\n")
                    .append("  ").append(t.successful()).append(" sessions succeeded, ").append(t.failed())
                    .append(" failed\n");
            t.failures().entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(3)
                    .forEach(e -> body.append("  ").append(e.getValue()).append(" × ").append(e.getKey()).append('\n'));
            report.policies().stream()
                    .filter(p -> domain.equals(p.domain()) || p.domain() == null)
                    .map(PolicyResult::failures)
                    .flatMap(java.util.List::stream)
                    .max(Comparator.comparingLong(FailureDetail::count))
                    .ifPresent(f -> body.append("  e.g. receiving MX ").append(orDash(f.receivingMxHostname()))
                            .append(" (").append(orDash(f.receivingIp())).append("), sending MTA ")
                            .append(orDash(f.sendingMtaIp())).append('\n'));
            body.append("Report id: ").append(report.reportId() == null ? "(none)" : report.reportId()).append('\n');
            publish.accept(subject(subject), body.toString());
        });
    }

    /** SNS subjects are printable ASCII, under 100 characters. */
    static String subject(String s) {
        String ascii = s.replaceAll("[^\\x20-\\x7e]", "?");
        return ascii.length() < 100 ? ascii : ascii.substring(0, 96) + "...";
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }
}
