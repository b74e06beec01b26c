package dev.mtasts.reports;

import dev.mtasts.store.Notices;
import dev.mtasts.store.ReportStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Messages about failed TLS sessions, sent to SNS when {@code ALERT_TOPIC_ARN} is set: at most one per domain per
 * {@link Notices#ALERT_INTERVAL}, so a flood of forged failure reports costs its target one message. A message
 * describes the report that sent it (domain, reporter, counts, main result types, a sample MX and IP) and says how
 * many reports and failed sessions it covers since the last one.
 */
public final class Alerts {
    private final BiConsumer<String, String> publish;
    private final Notices notices;
    private final Clock clock;

    /** @param publish takes a subject (at most 100 characters) and a body; null sends nothing */
    public Alerts(BiConsumer<String, String> publish, Notices notices, Clock clock) {
        this.publish = publish;
        this.notices = notices;
        this.clock = clock;
    }

    public static Alerts none() {
        return new Alerts(null, null, Clock.systemUTC());
    }

    /**
     * Sends the domain's alert if one is due, describing {@code report}, one of the reports it covers. A publish
     * that fails gives back what it took and throws, so a later try sends it.
     */
    void send(String domain, ReportStore.Counted report) {
        if (publish == null) {
            return;
        }
        Instant now = clock.instant();
        Optional<Notices.Held> taken = notices.take(domain, now);
        if (taken.isEmpty()) {
            return;
        }
        ReportStore.DomainCount c = report.domains().get(domain);
        Notices.Held held = taken.get();
        String reporter = report.organization() == null ? "an unnamed reporter" : report.organization();
        String subject = held.reports() > 1
                ? "MTA-STS: " + held.failed() + " failed TLS sessions for " + domain + " in " + held.reports() + " reports"
                : "MTA-STS: " + c.failed() + " failed TLS sessions for " + domain + " (" + reporter + ")";
        StringBuilder body = new StringBuilder();
        body.append(reporter).append(" reports for ").append(domain).append(", ")
                .append(report.day() == null ? "an unknown day" : report.day()).append(":\n")
                .append("  ").append(c.successful()).append(" sessions succeeded, ").append(c.failed())
                .append(" failed\n");
        c.failures().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(3)
                .forEach(e -> body.append("  ").append(e.getValue()).append(" × ").append(e.getKey()).append('\n'));
        if (c.receivingMx() != null || c.receivingIp() != null || c.sendingIp() != null) {
            body.append("  e.g. receiving MX ").append(orDash(c.receivingMx())).append(" (")
                    .append(orDash(c.receivingIp())).append("), sending MTA ").append(orDash(c.sendingIp())).append('\n');
        }
        body.append("Report id: ").append(report.reportId() == null ? "(none)" : report.reportId()).append('\n');
        if (held.reports() > 1) {
            body.append("This alert covers ").append(held.reports()).append(" reports with failures for ").append(domain)
                    .append(" (").append(held.failed()).append(" failed sessions) since ")
                    .append(held.lastSent() == null ? "the first of them" : "the last alert, " + held.lastSent())
                    .append(".\n");
        }
        body.append("At most one alert is sent per domain and hour; `mta-sts reports --domain ").append(domain)
                .append("` shows every day.\n");
        try {
            publish.accept(subject(subject), body.toString());
        } catch (RuntimeException e) {
            notices.putBack(domain, held, now);
            throw e;
        }
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
