package dev.mtasts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.report.FailureDetail;
import dev.mtasts.core.report.PolicyResult;
import dev.mtasts.core.report.TlsReport;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** RFC 8460 §5: duplicates are normal; a report is stored and counted once, on a real DynamoDB. */
class ReportStoreTest {
    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final DynamoDbClient client = LocalTables.client();
    private ReportStore store;

    @BeforeEach
    void freshTable() {
        store = LocalTables.reports("reports");
    }

    /** A domain's days of November 2026. */
    private List<ReportStore.Day> days(String domain) {
        return store.days(domain, LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-30"));
    }

    static TlsReport report(String org, String id, PolicyResult... policies) {
        return new TlsReport(org, id, Instant.parse("2026-11-22T00:00:00Z"), Instant.parse("2026-11-22T23:59:59Z"),
                null, List.of(policies), null, Map.of());
    }

    static PolicyResult policy(String type, String domain, long ok, long failed, String... resultTypes) {
        List<FailureDetail> failures = new ArrayList<>();
        for (String t : resultTypes) {
            failures.add(new FailureDetail(t, "203.0.113.7", "mail." + domain, null, null, failed / resultTypes.length,
                    null, null, Map.of()));
        }
        return new PolicyResult(type, List.of(), domain, List.of(), ok, failed, failures, Map.of());
    }

    @Test
    void aReportIsCountedOnItsDay() {
        TlsReport r = report("Google", "2026-11-22T00:00:00Z_example.com",
                policy("sts", "example.com", 1200, 3, "certificate-expired"));
        assertEquals(ReportStore.Outcome.STORED, store.store(r, "https/x.json", NOW, null).outcome());
        assertEquals(List.of(new ReportStore.Day("example.com", LocalDate.parse("2026-11-22"), 1200, 3,
                Map.of("certificate-expired", 3L), Set.of("Google"), 0, 0)), days("example.com"));
        Map<String, Object> item = store.find(r);
        assertNotNull(item);
        assertEquals("https/x.json", item.get("raw_key"));
        assertEquals(NOW.plus(Duration.ofDays(400)).getEpochSecond(), ((Number) item.get("expires")).longValue());
    }

    @Test
    void theSameReportTwiceIsCountedOnce() {
        TlsReport r = report("Google", "id-1", policy("sts", "example.com", 10, 2, "starttls-not-supported"));
        assertEquals(ReportStore.Outcome.STORED, store.store(r, "a", NOW, null).outcome());
        // the duplicate says where the original of the report it found is kept: that one need not be kept again
        assertEquals(new ReportStore.Stored(ReportStore.Outcome.DUPLICATE, "a"), store.store(r, "b", NOW, null));
        assertEquals(10, days("example.com").get(0).successful());
        assertEquals("a", store.find(r).get("raw_key"));
    }

    @Test
    void theSameReportManyTimesAtOnceIsCountedOnce() throws Exception {
        TlsReport r = report("Microsoft", "133456789012345678+example.com",
                policy("sts", "example.com", 500, 5, "sts-policy-fetch-error"));
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<ReportStore.Outcome>> tasks = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                tasks.add(() -> store.store(r, "raw", NOW, null).outcome());
            }
            List<ReportStore.Outcome> outcomes = new ArrayList<>();
            for (Future<ReportStore.Outcome> f : pool.invokeAll(tasks)) {
                outcomes.add(f.get());
            }
            assertEquals(1, outcomes.stream().filter(o -> o == ReportStore.Outcome.STORED).count(), outcomes.toString());
        } finally {
            pool.shutdown();
        }
        ReportStore.Day day = days("example.com").get(0);
        assertEquals(500, day.successful());
        assertEquals(5, day.failed());
    }

    @Test
    void tlsaAndStsForOneDomainAreNotAddedUp() {
        store.store(report("Microsoft", "m-1", policy("tlsa", "example.com", 100, 4, "tlsa-invalid"),
                policy("sts", "example.com", 100, 4, "tlsa-invalid")), "raw", NOW, null);
        ReportStore.Day day = days("example.com").get(0);
        assertEquals(100, day.successful());
        assertEquals(4, day.failed());
        assertEquals(Map.of("tlsa-invalid", 4L), day.failures());
    }

    @Test
    void reportsAddUpPerDomainAndDay() {
        store.store(report("Google", "g-1", policy("sts", "example.com", 10, 1, "certificate-expired")), "r1", NOW, null);
        store.store(report("Yahoo", "y-1", policy("sts", "example.com", 5, 2, "certificate-expired"),
                policy("sts", "example.org", 7, 0)), "r2", NOW, null);
        store.store(report("Postfix", "p-1", policy("no-policy-found", null, 3, 0)), "r3", NOW, null);
        assertEquals(List.of(
                new ReportStore.Day("(unattributed)", LocalDate.parse("2026-11-22"), 3, 0, Map.of(), Set.of("Postfix"), 0, 0),
                new ReportStore.Day("example.com", LocalDate.parse("2026-11-22"), 15, 3,
                        Map.of("certificate-expired", 3L), Set.of("Google", "Yahoo"), 0, 0),
                new ReportStore.Day("example.org", LocalDate.parse("2026-11-22"), 7, 0, Map.of(), Set.of("Yahoo"), 0, 0)),
                store.reportedDomains().stream().flatMap(d -> days(d).stream()).toList());
        assertEquals(List.of(), store.days("example.com", LocalDate.parse("2026-11-23"), LocalDate.parse("2026-11-30")));
    }

    /** Whatever a sender writes, an accepted report fits DynamoDB's item and expression limits. */
    @Test
    void hugeStringsAndManyResultTypesStillStore() {
        List<FailureDetail> failures = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            failures.add(new FailureDetail("type-" + i, null, null, null, null, 1L, null, "x".repeat(600_000 / 400), Map.of()));
        }
        failures.add(new FailureDetail("certificate-expired", null, "m".repeat(100_000), null, null, 500L, null,
                "r".repeat(300_000), Map.of()));
        PolicyResult p = new PolicyResult("sts", List.of(), "example.com", List.of(), 1, 900, failures, Map.of());
        assertEquals(ReportStore.Outcome.STORED, store.store(report("o".repeat(5000), "huge-1", p), "raw", NOW, null).outcome());
        ReportStore.Day day = days("example.com").get(0);
        // the registered type, 20 others, and "other" for the rest
        assertEquals(ReportStore.MAX_RESULT_TYPES + 2, day.failures().size(), day.failures().keySet().toString());
        assertEquals(500L, day.failures().get("certificate-expired"));
        assertEquals(900L, day.failures().values().stream().mapToLong(Long::longValue).sum());
    }

    /** What a forger can put in a day's summary: long, new result types and a new organisation each time. */
    static TlsReport forged(int n) {
        List<FailureDetail> failures = new ArrayList<>();
        for (int t = 0; t < 20; t++) {
            failures.add(new FailureDetail(n + "-" + t + "-" + "t".repeat(300), null, null, null, null, 1L, null, null,
                    Map.of()));
        }
        return report(n + "-" + "o".repeat(300), "forged-" + n,
                new PolicyResult("sts", List.of(), "example.com", List.of(), 0, 20, failures, Map.of()));
    }

    private Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> dayItem(String domain) {
        return client.getItem(g -> g.tableName(store.table()).key(Map.of(
                "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("domain#" + domain),
                "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("day#2026-11-22")))).item();
    }

    /**
     * Whatever senders write, a day's summary stays small: registered result types keep their own counts, at most
     * 20 others get one (the rest count as "other"), at most 50 reporters are named (the rest are counted).
     */
    @Test
    void aDaysSummaryStaysBoundedWhateverSendersSend() {
        for (int n = 0; n < 300; n++) {
            assertEquals(ReportStore.Outcome.STORED, store.store(forged(n), "raw", NOW, null).outcome());
        }
        assertEquals(ReportStore.Outcome.STORED, store.store(report("Google Inc.", "2026-11-22T00:00:00Z_example.com",
                policy("sts", "example.com", 1200, 3, "certificate-expired")), "raw", NOW, null).outcome());
        ReportStore.Day day = days("example.com").get(0);
        assertEquals(1200, day.successful());
        assertEquals(300 * 20 + 3, day.failed());
        assertEquals(3L, day.failures().get("certificate-expired"));
        assertEquals(300 * 20 - 20, day.failures().get("other"));
        assertEquals(22, day.failures().size(), day.failures().keySet().toString());
        assertEquals(ReportStore.MAX_REPORTERS, day.reporters().size());
        assertEquals(301 - ReportStore.MAX_REPORTERS, day.otherReporters());
        long size = Items.size(dayItem("example.com"));
        assertTrue(size < 40_000, "summary item of " + size + " bytes");
    }

    /** Concurrent writers cannot take more places than there are: each new place is conditional on what was read. */
    @Test
    void theBoundsHoldUnderConcurrentWriters() throws Exception {
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<ReportStore.Outcome>> tasks = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int n = i;
                tasks.add(() -> store.store(report("Sender " + n, "c-" + n, policy("sts", "example.com", 1, 2,
                        "custom-" + n + "-a", "custom-" + n + "-b")), "raw", NOW, null).outcome());
            }
            for (Future<ReportStore.Outcome> f : pool.invokeAll(tasks)) {
                assertEquals(ReportStore.Outcome.STORED, f.get());
            }
        } finally {
            pool.shutdown();
        }
        ReportStore.Day day = days("example.com").get(0);
        assertEquals(64 * 2, day.failed());
        assertEquals(64 * 2, day.failures().values().stream().mapToLong(Long::longValue).sum());
        assertEquals(ReportStore.MAX_RESULT_TYPES + 1, day.failures().size(), day.failures().keySet().toString());
        assertEquals(ReportStore.MAX_REPORTERS, day.reporters().size());
        assertEquals(64 - ReportStore.MAX_REPORTERS, day.otherReporters());
    }

    /** Items written by hand or by older versions read without an exception: odd values count as 0 or the most. */
    @Test
    void readingStoredDaysNeverFails() {
        Map<String, Object> odd = new java.util.LinkedHashMap<>();
        odd.put("pk", "domain#example.com");
        odd.put("sk", "day#2026-11-22");
        odd.put("successful", new java.math.BigDecimal("18446744073709551614"));
        odd.put("failed", new java.math.BigDecimal("-2"));
        odd.put("failure:certificate-expired", "three");
        odd.put("reporters", List.of("not", "a", "set"));
        client.putItem(r -> r.tableName(store.table()).item(Items.toItem(odd)));
        client.putItem(r -> r.tableName(store.table()).item(Items.toItem(Map.of("pk", "domain#example.com",
                "sk", "day#not-a-date", "successful", 1))));
        assertEquals(List.of(new ReportStore.Day("example.com", LocalDate.parse("2026-11-22"), Long.MAX_VALUE, -2,
                Map.of("certificate-expired", 0L), Set.of(), 0, 0)), days("example.com"));
    }

    /** DynamoDB refusing an item is not an outage: no retry can help, so it is said at once, and nothing is counted. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> refusals() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("a count of another type", "successful", "many",
                        "cannot be stored in the summary of example.com on 2026-11-22: an attribute there holds another "
                                + "type of value"),
                org.junit.jupiter.params.provider.Arguments.of("a summary at DynamoDB's size limit", "legacy",
                        "x".repeat(400 * 1024 - 100),
                        "cannot be stored in the summary of example.com on 2026-11-22: it would make an item larger "
                                + "than DynamoDB's 400 KB"));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("refusals")
    void dynamoDbRefusingTheItemsIsPermanent(String what, String attribute, String value, String message) {
        client.putItem(r -> r.tableName(store.table()).item(Items.toItem(Map.of("pk", "domain#example.com",
                "sk", "day#2026-11-22", attribute, value))));
        TlsReport r = report("Google", "refused-1", policy("sts", "example.com", 10, 1, "certificate-expired"));
        ReportStore.Refused e = org.junit.jupiter.api.Assertions.assertThrows(ReportStore.Refused.class,
                () -> store.store(r, "raw", NOW, null));
        assertEquals(message, e.getMessage());
        assertEquals(null, store.find(r));
    }

    @Test
    void theReportItemSaysWhatItCounted() {
        TlsReport r = report("Microsoft", "m-2", policy("tlsa", "example.com", 0, 7, "tlsa-invalid"),
                policy("sts", "example.com", 7, 0));
        store.store(r, "raw", NOW, null);
        ReportStore.Counted counted = ReportStore.Counted.of(store.find(r));
        assertEquals("Microsoft", counted.organization());
        assertEquals(LocalDate.parse("2026-11-22"), counted.day());
        assertEquals(Map.of("example.com", new ReportStore.DomainCount(0, 7, Map.of("tlsa-invalid", 7L),
                "mail.example.com", null, "203.0.113.7")), counted.domains());
    }

    @Test
    void aReportWithoutIdIsKnownByItsContent() {
        TlsReport r = report("Stalwart", null, policy("sts", "example.com", 1, 0));
        assertEquals(ReportStore.Outcome.STORED, store.store(r, "a", NOW, null).outcome());
        assertEquals(ReportStore.Outcome.DUPLICATE, store.store(r, "a", NOW, null).outcome());
    }

    /**
     * Anyone may POST a report, and real report-ids are predictable (Google's are the day and the domain): a forged
     * report sent first under a real sender's name and coming id is a report of its own, and the real one is
     * counted all the same.
     */
    @Test
    void aForgedReportUnderARealIdDoesNotSuppressTheRealOne() {
        TlsReport forged = report("Google Inc.", "2026-11-22T00:00:00Z_example.com", policy("sts", "example.com", 1, 0));
        TlsReport real = report("Google Inc.", "2026-11-22T00:00:00Z_example.com",
                policy("sts", "example.com", 1200, 3, "certificate-expired"));
        assertEquals(ReportStore.Outcome.STORED, store.store(forged, "forged", NOW, null).outcome());
        assertEquals(ReportStore.Outcome.STORED, store.store(real, "real", NOW, null).outcome());
        assertEquals(ReportStore.Outcome.DUPLICATE, store.store(real, "real-again", NOW, null).outcome());
        ReportStore.Day day = days("example.com").get(0);
        assertEquals(1201, day.successful());
        assertEquals(3, day.failed());
        assertEquals("real", store.find(real).get("raw_key"));
    }

    /** 50 different reports under one report-id, at once: each is its own report, each counted. */
    @Test
    void fiftyReportsUnderOneIdAtOnceAreEachCounted() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<ReportStore.Outcome>> tasks = new ArrayList<>();
            for (int i = 1; i <= 50; i++) {
                TlsReport r = report("Google Inc.", "2026-11-22T00:00:00Z_example.com", policy("sts", "example.com", i, 0));
                tasks.add(() -> store.store(r, "raw", NOW, null).outcome());
            }
            for (Future<ReportStore.Outcome> f : pool.invokeAll(tasks)) {
                assertEquals(ReportStore.Outcome.STORED, f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(50 * 51 / 2, days("example.com").get(0).successful());
    }

    /**
     * A domain's day keeps the details of at most MAX_DETAILED reports, so a flood of reports for one day costs a
     * page of that day a bounded read; every report is still counted in the day.
     */
    @Test
    void aDayKeepsTheDetailsOfABoundedNumberOfReports() {
        int reports = ReportStore.MAX_DETAILED + 20;
        for (int n = 0; n < reports; n++) {
            assertEquals(ReportStore.Outcome.STORED, store.store(forged(n), "raw", NOW, null).outcome());
        }
        int[] shares = {0};
        ReportHistory.reports(store, "example.com", LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-30"),
                r -> shares[0]++);
        assertEquals(ReportStore.MAX_DETAILED, shares[0]);
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> day = dayItem("example.com");
        assertEquals(Integer.toString(reports), day.get("reports").n());
        assertEquals(Integer.toString(ReportStore.MAX_DETAILED), day.get("detailed_mail").n());
        assertEquals(reports * 20L, days("example.com").get(0).failed());
        assertEquals(20, days("example.com").get(0).undetailed());
    }

    /** The domains with reports are listed from an index, not by reading the table. */
    @Test
    void theDomainsWithReportsAreIndexed() {
        store.store(report("Google", "g-1", policy("sts", "example.com", 10, 0)), "r1", NOW, null);
        store.store(report("Google", "g-2", policy("sts", "example.com", 11, 0)), "r2", NOW, null);
        store.store(report("Yahoo", "y-1", policy("sts", "example.org", 5, 0), policy("sts", "example.net", 1, 0)), "r3", NOW, null);
        assertEquals(List.of("example.com", "example.net", "example.org"), store.reportedDomains());
    }

    /**
     * Anyone may POST, so POSTed reports cannot take the places of mailed ones (whose sender SES checked), and one
     * source address takes at most 25 of the POSTed ones' places a day: a real report's details stay on the page.
     */
    @Test
    void forgedPostsCannotPushARealReportsDetailsOffThePage() {
        for (int n = 0; n < 40; n++) {
            store.store(forged(n), "raw", NOW, "203.0.113.66");
        }
        for (int n = 40; n < 160; n++) {
            store.store(forged(n), "raw", NOW, "198.51.100." + n);
        }
        TlsReport mailed = report("Google Inc.", "2026-11-22T00:00:00Z_example.com",
                policy("sts", "example.com", 1200, 3, "certificate-expired"));
        TlsReport posted = report("Example Mail LLC", "2026-11-22_1", policy("sts", "example.com", 500, 0));
        store.store(mailed, "mailed", NOW, null);
        store.store(posted, "posted", NOW, "192.0.2.77");
        List<String> shown = new ArrayList<>();
        ReportHistory.reports(store, "example.com", LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-30"),
                r -> shown.add(r.organization()));
        assertTrue(shown.contains("Google Inc."), "the mailed report is detailed");
        assertEquals(ReportStore.MAX_DETAILED_PER_SOURCE, shown.stream().filter(o -> o.matches("\\d+-o+.*")
                && Integer.parseInt(o.substring(0, o.indexOf('-'))) < 40).count(), "one source took 25 places, no more");
        assertEquals(ReportStore.MAX_DETAILED + 1, shown.size(), "100 POSTed and the mailed one");
        assertEquals(162 - ReportStore.MAX_DETAILED - 1, days("example.com").get(0).undetailed(),
                "the rest counted, not detailed");
    }
}
