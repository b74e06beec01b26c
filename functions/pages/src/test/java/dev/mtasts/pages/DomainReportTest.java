package dev.mtasts.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.Policy;
import dev.mtasts.core.report.TlsReport;
import dev.mtasts.store.ReportStore;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The figures behind each chart, from reports stored on DynamoDB Local: the real senders' fixtures as they are, and
 * a month of reports in their shapes ({@link Demo}).
 */
class DomainReportTest {
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    static final LocalDate END = LocalDate.parse("2026-11-30");
    static Map<String, DomainReport> fixtures;
    static Map<String, DomainReport> month;
    static Tables monthTables;

    @BeforeAll
    static void store() throws Exception {
        Tables t = Tables.fresh();
        for (String f : List.of("google.json", "microsoft.json", "microsoft-dane-failing.json", "mailru.json",
                "postfix.json", "stalwart.json", "rfc-appendix-b.json", "hourly.json")) {
            t.store(f, Tables.fixture(f));
        }
        t.domains().putItem(Map.of("domain", "example.com", "mode", "enforce", "mx", List.of("mx1.example.com"),
                "max_age", BigDecimal.valueOf(604800)));
        fixtures = byDomain(t.pages(NOW).page(Set.of(), null, false));

        monthTables = Tables.fresh();
        Demo.load(monthTables.domains(), monthTables.reports(), END);
        month = byDomain(monthTables.pages(NOW).page(Set.of(), null, false));
    }

    static Map<String, DomainReport> byDomain(ReportPage page) {
        return page.domains().stream().collect(Collectors.toMap(DomainReport::domain, Function.identity(),
                (a, b) -> a, java.util.LinkedHashMap::new));
    }

    static String ranked(List<DomainReport.Ranked> rows) {
        return rows.stream().map(r -> r.name() + " " + r.failed() + " " + r.mainType() + " " + r.first().toString()
                .substring(5) + (r.first().equals(r.last()) ? "" : ".." + r.last().toString().substring(5)))
                .collect(Collectors.joining("; "));
    }

    @Test
    void theDomainsAreThoseWithARowOrReportsTheUnattributedLast() {
        assertEquals(List.of("example.com", "example.net", "example.org", TlsReport.UNATTRIBUTED),
                List.copyOf(fixtures.keySet()));
        assertEquals(List.of("example.com", "example.org", "retired.example"), List.copyOf(month.keySet()));
    }

    @Test
    void sessionsPerDayAreTheDaysSummariesAndEveryDayOfTheWindowIsThere() {
        DomainReport com = fixtures.get("example.com");
        assertEquals(new Window(LocalDate.parse("2026-11-01"), END), com.window());
        assertEquals(30, com.days().size());
        assertEquals(List.of("2026-11-15 4257 211", "2026-11-16 0 7"), com.days().stream().filter(DomainReport.Day::reported)
                .map(d -> d.date() + " " + d.successful() + " " + d.failed()).toList());
        assertEquals(4475, com.sessions());

        // the month: one day nobody reported is a gap, not a zero
        DomainReport m = month.get("example.com");
        assertEquals(29, m.reportedDays());
        assertFalse(m.days().get(Demo.DAYS - 1 - Demo.SILENT).reported());
        List<ReportStore.Day> stored = monthTables.reports().days("example.com", LocalDate.parse("2026-01-01"), END);
        assertEquals(stored.stream().mapToLong(ReportStore.Day::successful).sum(), m.successful());
        assertEquals(147, m.failed());
    }

    @Test
    void failuresPerDayByResultTypeMostFirst() {
        DomainReport com = fixtures.get("example.com");
        assertEquals(List.of("starttls-not-supported", "tlsa-invalid", "validation-failure", "certificate-expired",
                "certificate-not-trusted", "sts-policy-fetch-error"), com.resultTypes());
        assertEquals(Map.of("starttls-not-supported", 200L, "validation-failure", 6L, "certificate-expired", 3L,
                "sts-policy-fetch-error", 2L, "certificate-not-trusted", 2L), com.days().get(14).failures());
        // Microsoft's tlsa and sts entries for the same sessions are not added up
        assertEquals(Map.of("tlsa-invalid", 7L), com.days().get(15).failures());

        DomainReport m = month.get("example.com");
        assertEquals(List.of("certificate-expired"), m.resultTypes());
        assertEquals(List.of(44L, 49L, 54L), m.days().subList(27, 30).stream()
                .map(d -> d.failures().get("certificate-expired")).toList());
        assertEquals(List.of("starttls-not-supported", "sts-policy-fetch-error"), month.get("example.org").resultTypes());
    }

    @Test
    void failingMxHostsAndSendingIpsFromTheFailureDetails() {
        DomainReport com = fixtures.get("example.com");
        assertEquals("mx2.mail.example.com 200 starttls-not-supported 11-15; (not named) 9 tlsa-invalid 11-15..11-16; "
                + "mx-backup.mail.example.com 6 validation-failure 11-15; mx1.example.com 5 certificate-expired 11-15",
                ranked(com.mxHosts()));
        assertEquals("2001:db8:abcd:12::1 200 starttls-not-supported 11-15; (not named) 9 tlsa-invalid 11-15..11-16; "
                + "198.51.100.62 6 validation-failure 11-15; 198.51.100.25 3 certificate-expired 11-15; "
                + "198.51.100.26 2 certificate-not-trusted 11-15", ranked(com.sendingIps()));
        assertFalse(com.detailsCut());

        DomainReport m = month.get("example.com");
        assertEquals("mx2.mx.example.net 147 certificate-expired 11-28..11-30", ranked(m.mxHosts()));
        assertEquals("192.0.2.25 108 certificate-expired 11-28..11-30; 198.51.100.40 27 certificate-expired 11-28..11-30; "
                + "192.0.2.26 12 certificate-expired 11-28..11-30", ranked(m.sendingIps()));
    }

    @Test
    void reportersWithTheirReportsAndSessions() {
        assertEquals(List.of(new DomainReport.Reporter("Company-Q", 1, 4100, 206),
                new DomainReport.Reporter("Example Mail LLC", 1, 100, 3),
                new DomainReport.Reporter("Example Soft Corporation", 2, 25, 9),
                new DomainReport.Reporter("Example Postfix Site", 1, 20, 0),
                new DomainReport.Reporter("Example Search Inc.", 1, 12, 0)), fixtures.get("example.com").reporters());
        assertEquals(List.of("Example Search Inc. 29", "Example Soft Corporation 28", "Example Mail LLC 20"),
                month.get("example.com").reporters().stream().map(r -> r.name() + " " + r.reports()).toList());
        assertEquals(77, month.get("example.com").reports());
    }

    @Test
    void policyChangesAreMarkedWhereSendersSawThemAndWhereTheStackAnnouncedThem() throws Exception {
        String testing = Policy.parse(String.join("\n", Demo.TESTING)).id().substring(0, 8);
        String enforce = Policy.parse(String.join("\n", Demo.ENFORCE)).id().substring(0, 8);
        DomainReport m = month.get("example.com");
        LocalDate change = END.minusDays(Demo.CHANGE);
        assertEquals(List.of(new DomainReport.Mark(change, "senders saw enforce, id " + enforce + " (was testing, "
                        + testing + ")"),
                new DomainReport.Mark(change, "the stack announced id " + enforce + " in _mta-sts (enforce)")),
                m.marks());
        // the strip: what most sessions of each day were checked against (Example Mail names no policy)
        assertEquals("testing", m.seen().stream().filter(s -> s.date().equals(change.minusDays(1))).findFirst()
                .orElseThrow().mode());
        assertEquals(29, m.seen().size());
        DomainReport.PolicyNow now = m.policy();
        assertEquals("enforce ready " + enforce + " " + change, now.mode() + " " + now.state() + " "
                + now.announcedId().substring(0, 8) + " " + now.readySince());

        // the fixtures: Company-Q's testing policy carried most sessions on 11-15, Microsoft's enforce one on 11-16
        DomainReport com = fixtures.get("example.com");
        assertEquals(1, com.marks().size());
        assertTrue(com.marks().get(0).text().startsWith("senders saw enforce, id "), com.marks().toString());
        assertEquals("new", com.policy().state());
        assertNull(fixtures.get("example.net").policy());
    }

    @Test
    void theVerdictInPlainWords() {
        DomainReport m = month.get("example.com");
        assertEquals("3 reporters, " + Verdict.percent(147, m.sessions())
                + " failed, all certificate-expired at mx2.mx.example.net since 11-28", Verdict.of(m));
        assertEquals("0.3%", Verdict.percent(147, m.sessions()));
        assertEquals("3 reporters, " + Verdict.percent(month.get("example.org").failed(), month.get("example.org").sessions())
                + " failed, mostly starttls-not-supported at mx2.example.org since 11-24", Verdict.of(month.get("example.org")));
        assertEquals("No reports from 11-01 to 11-30", Verdict.of(month.get("retired.example")));

        assertEquals("5 reporters, 4.9% failed, mostly starttls-not-supported at mx2.mail.example.com on 11-15; "
                + "no report since 11-16", Verdict.of(fixtures.get("example.com")));
        assertEquals("2 reporters, 13% failed, certificate-expired 50%, certificate-host-mismatch 50%; "
                + "no report since 11-15", Verdict.of(fixtures.get("example.org")));
        assertEquals("1 reporter, no failures in 4 sessions; no report since 11-15", Verdict.of(fixtures.get("example.net")));
        assertEquals("1 reporter, 13% failed, result types not given; no report since 11-15",
                Verdict.of(fixtures.get(TlsReport.UNATTRIBUTED)));
    }

    /**
     * Whatever forged reports name, the page's sums stay bounded: 20,000 reports naming 20 new hosts, addresses and
     * organisations each tell apart at most MAX_NAMES of each, the rest summed as "(all others)", no session lost.
     */
    @Test
    void whatForgedReportsNameIsBounded() {
        Window window = new Window(LocalDate.parse("2026-11-01"), END);
        DomainReport.Builder b = new DomainReport.Builder("example.com", window, null);
        long failed = 0;
        for (int i = 0; i < 20_000; i++) {
            List<dev.mtasts.store.ReportHistory.Failure> failures = new java.util.ArrayList<>();
            for (int d = 0; d < 20; d++) {
                failures.add(new dev.mtasts.store.ReportHistory.Failure("type-" + (i * 20 + d), 1, "mx-" + i + "-" + d
                        + ".forged.example", "203.0." + (i % 250) + "." + d, null));
            }
            failed += 20;
            b.report(new dev.mtasts.store.ReportHistory.Report("Forger " + i, END.minusDays(i % 30),
                    new ReportStore.DomainCount(0, 20, Map.of(), null, null, null),
                    List.of(new dev.mtasts.store.ReportHistory.Entry("sts", 0, 20, null, null, failures, 0))));
        }
        DomainReport r = b.build();
        assertEquals(DomainReport.MAX_NAMES + 1, r.mxHosts().size());
        assertEquals(DomainReport.MAX_NAMES + 1, r.reporters().size());
        assertEquals(failed, r.mxHosts().stream().mapToLong(DomainReport.Ranked::failed).sum());
        assertEquals(20_000, r.reporters().stream().mapToLong(DomainReport.Reporter::reports).sum());
        assertEquals(DomainReport.OTHERS, r.mxHosts().get(0).name(), "the rest, summed, lead the table");
    }
}
