package dev.mtasts.pages;

import dev.mtasts.pages.Senders.Failure;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Policy;
import dev.mtasts.core.report.Limits;
import dev.mtasts.core.report.ReportReader;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.ReportStore;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A month of reports as four senders write them, for the three domains of {@code infra/local/domains.json} (and
 * their policies), ending on a given day ({@code mta-sts demo} writes them as files):
 * <ul>
 *   <li>example.com, {@code testing} until {@link #CHANGE} days before the end, then {@code enforce} (Example Search
 *       sees the new policy at once, Example Soft a day later, Example Mail never names one); every failure is a
 *       {@code certificate-expired} at mx2.mx.example.net in the last three days; nobody reports on one day, and
 *       Example Soft misses another;</li>
 *   <li>example.org, {@code testing}: {@code starttls-not-supported} at mx2.example.org now and then, daily in the last
 *       week, and one day of {@code sts-policy-fetch-error};</li>
 *   <li>retired.example, {@code none}: no reports.</li>
 * </ul>
 */
public final class Demo {
    public static final int DAYS = 30;
    public static final int CHANGE = 18;
    /** Days before the end on which no report arrived at all, and on which Example Soft sent none. */
    public static final int SILENT = 11;
    public static final int SOFT_SILENT = 10;
    public static final List<String> TESTING = Senders.policy("testing", 86400, "mail.example.com", "*.mx.example.net");
    public static final List<String> ENFORCE = Senders.policy("enforce", 604800, "mail.example.com", "*.mx.example.net");
    public static final List<String> ORG = Senders.policy("testing", 86400, "mx1.example.org", "mx2.example.org");

    private Demo() {
    }

    /** File name (as senders name them, RFC 8460 §5.1) to report, oldest first: {@link #DAYS} days to {@code end}. */
    public static Map<String, String> reports(LocalDate end) {
        return reports(end, DAYS);
    }

    /** The same, for {@code days} days to {@code end}. */
    public static Map<String, String> reports(LocalDate end, int days) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int back = days - 1; back >= 0; back--) {
            LocalDate day = end.minusDays(back);
            int i = days - 1 - back;
            if (back == SILENT) {
                continue;
            }
            boolean enforced = back <= CHANGE;
            Failure[] search = back <= 2 ? new Failure[] {
                new Failure("certificate-expired", "mx2.mx.example.net", "192.0.2.25", "203.0.113.12", 30 + 6 * (2 - back)),
                new Failure("certificate-expired", "mx2.mx.example.net", "192.0.2.26", "203.0.113.12", 4)} : new Failure[0];
            put(out, "search", "example.com", day, Senders.google("example.com", day, enforced ? ENFORCE : TESTING,
                    List.of("mail.example.com", "*.mx.example.net"), 1100 + (i * 37) % 300, search));
            if (back != SOFT_SILENT) {
                Failure[] soft = back <= 2 ? new Failure[] {
                    new Failure("certificate-expired", "mx2.mx.example.net", "198.51.100.40", "203.0.113.12", 8 + back)}
                        : new Failure[0];
                put(out, "soft", "example.com", day, Senders.microsoft("example.com", day,
                        back <= CHANGE - 1 ? ENFORCE : TESTING, 380 + (i * 53) % 90, soft));
            }
            if (i % 3 != 0) {
                // its range ends at the next midnight, and so does its name
                put(out, "mail", "example.com", day, 86400, Senders.mailru("example.com", day, 140 + (i * 29) % 40));
            }
            Failure[] org = back <= 6 || back == 25 || back == 24 || back == 14
                    ? new Failure[] {new Failure("starttls-not-supported", "mx2.example.org", "192.0.2.25",
                            "203.0.113.30", 5 + (i * 7) % 8)} : new Failure[0];
            put(out, "search", "example.org", day, Senders.google("example.org", day, ORG,
                    List.of("mx1.example.org", "mx2.example.org"), 200 + (i * 17) % 60, org));
            if (i % 2 == 0) {
                put(out, "postfix", "example.org", day, Senders.postfix("example.org", day, ORG, 50 + i));
            }
            if (back == 20) {
                put(out, "soft", "example.org", day, Senders.microsoft("example.org", day, ORG, 90,
                        new Failure("sts-policy-fetch-error", null, null, null, 3)));
            }
        }
        return out;
    }

    private static void put(Map<String, String> out, String sender, String domain, LocalDate day, String json) {
        put(out, sender, domain, day, 86399, json);
    }

    /** Named {@code sender!domain!begin!end.json}, the begin and end of the report's date-range in epoch seconds. */
    private static void put(Map<String, String> out, String sender, String domain, LocalDate day, long length,
            String json) {
        long begin = day.atStartOfDay(java.time.ZoneOffset.UTC).toEpochSecond();
        out.put(sender + ".example!" + domain + "!" + begin + "!" + (begin + length) + ".json", json);
    }

    /** The three rows, example.com ready with its enforce policy announced since the change. */
    public static List<Map<String, Object>> rows(LocalDate end) throws Exception {
        Policy enforce = Policy.parse(String.join("\n", ENFORCE));
        Instant changed = end.minusDays(CHANGE).atTime(9, 30).toInstant(java.time.ZoneOffset.UTC);
        Lifecycle ready = Lifecycle.start(changed.minusSeconds(86400 * 20))
                .at(Lifecycle.Step.READY, Lifecycle.Step.READY.doing(), changed)
                .withAccepted(enforce.id())
                .withAnnounced(new Lifecycle.Announced(enforce.id(), enforce.render()));
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(row("example.com", "enforce", List.of("mail.example.com", "*.mx.example.net"), 604800, ready));
        rows.add(row("example.org", "testing", List.of("mx1.example.org", "mx2.example.org"), 86400, null));
        rows.add(row("retired.example", "none", List.of(), 86400, null));
        return rows;
    }

    private static Map<String, Object> row(String domain, String mode, List<String> mx, long maxAge, Lifecycle lc) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("domain", domain);
        r.put("mode", mode);
        r.put("mx", mx);
        r.put("max_age", BigDecimal.valueOf(maxAge));
        if (lc != null) {
            r.put(Lifecycle.ATTRIBUTE, lc.toPlain());
        }
        return r;
    }

    /** Stores the rows and reports as {@code report ingest} does: each file read, attributed, stored once. */
    public static void load(DomainStore domains, ReportStore reports, LocalDate end) throws Exception {
        for (Map<String, Object> row : rows(end)) {
            domains.putItem(row);
        }
        ReportReader reader = new ReportReader(Limits.DEFAULT);
        for (Map.Entry<String, String> r : reports(end).entrySet()) {
            var received = reader.read(new ByteArrayInputStream(r.getValue().getBytes(StandardCharsets.UTF_8)), r.getKey());
            reports.store(received.report(), "demo/" + r.getKey(), end.plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC)
                    .toInstant(), null);
        }
    }
}
