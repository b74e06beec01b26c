package dev.mtasts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.mtasts.core.Policy;
import dev.mtasts.core.report.FailureDetail;
import dev.mtasts.core.report.PolicyResult;
import dev.mtasts.core.report.TlsReport;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Reading back, for a window of days, what the reports table holds: summaries and report items, on DynamoDB Local. */
class ReportHistoryTest {
    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    static final List<String> ENFORCE = List.of("version: STSv1", "mode: enforce", "mx: mail.example.com", "max_age: 604800");
    private static final DynamoDbClient client = LocalTables.client();
    private ReportStore store;

    @BeforeEach
    void freshTable() {
        store = LocalTables.reports("history");
    }

    static TlsReport report(String org, String day, PolicyResult... policies) {
        return new TlsReport(org, org + "-" + day, Instant.parse(day + "T00:00:00Z"), Instant.parse(day + "T23:59:59Z"),
                null, List.of(policies), null, Map.of());
    }

    static PolicyResult sts(String domain, List<String> policy, long ok, long failed, FailureDetail... failures) {
        return new PolicyResult("sts", policy, domain, List.of(), ok, failed, List.of(failures), Map.of());
    }

    static FailureDetail failure(String type, String mx, String ip, long count) {
        return new FailureDetail(type, ip, mx, null, "203.0.113.25", count, null, null, Map.of());
    }

    /** One domain's days and report shares of a window, as read. */
    record Read(List<ReportStore.Day> days, List<ReportHistory.Report> reports) {
    }

    Read read(String domain, String from, String to) {
        List<ReportStore.Day> days = new java.util.ArrayList<>();
        List<ReportHistory.Report> reports = new java.util.ArrayList<>();
        days.addAll(store.days(domain, LocalDate.parse(from), LocalDate.parse(to)));
        ReportHistory.reports(store, domain, LocalDate.parse(from), LocalDate.parse(to), reports::add);
        return new Read(days, reports);
    }

    @Test
    void aWindowOfDaysOfOneDomain() throws Exception {
        store.store(report("Google", "2026-11-20", sts("example.com", ENFORCE, 100, 0)), "a", NOW, null);
        store.store(report("Google", "2026-11-21", sts("example.com", ENFORCE, 90, 3,
                failure("certificate-expired", "mx2.example.com", "198.51.100.7", 3))), "b", NOW, null);
        store.store(report("Microsoft", "2026-11-21", sts("example.com", List.of(), 50, 0),
                sts("example.org", ENFORCE, 5, 0)), "c", NOW, null);
        store.store(report("Google", "2026-11-22", sts("example.org", ENFORCE, 7, 0)), "d", NOW, null);
        store.store(report("Google", "2026-11-24", sts("example.com", ENFORCE, 1, 0)), "e", NOW, null);

        Read h = read("example.com", "2026-11-21", "2026-11-23");
        assertEquals(List.of("example.com 2026-11-21 140 3"), h.days().stream()
                .map(d -> d.domain() + " " + d.date() + " " + d.successful() + " " + d.failed()).toList());
        // the Microsoft report counts example.org too: example.com's share of it is here
        assertEquals(List.of("Google 2026-11-21 90/3", "Microsoft 2026-11-21 50/0"),
                h.reports().stream().map(r -> r.organization() + " " + r.day() + " " + r.counted().successful() + "/"
                        + r.counted().failed()).sorted().toList());
        ReportHistory.Report google = h.reports().stream().filter(r -> r.organization().equals("Google")).findFirst()
                .orElseThrow();
        ReportHistory.Entry entry = google.entries().get(0);
        assertEquals("sts 90 3 enforce " + Policy.parse(String.join("\n", ENFORCE)).id(),
                entry.type() + " " + entry.successful() + " " + entry.failed() + " " + entry.mode() + " " + entry.policyId());
        assertEquals(List.of(new ReportHistory.Failure("certificate-expired", 3, "mx2.example.com", "198.51.100.7",
                "203.0.113.25")), entry.failures());
        assertEquals(Map.of("certificate-expired", 3L), google.counted().failures());
        // no policy string (Mail.ru): no mode, no id
        ReportHistory.Report microsoft = h.reports().stream().filter(r -> r.organization().equals("Microsoft"))
                .findFirst().orElseThrow();
        assertNull(microsoft.entries().get(0).mode());
        assertEquals(1, microsoft.entries().size(), "only example.com's policies");

        Read org = read("example.org", "2026-11-01", "2026-11-30");
        assertEquals(2, org.reports().size());
        assertEquals(List.of("2026-11-21", "2026-11-22"), org.days().stream().map(d -> d.date().toString()).toList());
        assertEquals(List.of("example.com", "example.org"), store.reportedDomains());
    }

    /** Other domains, other days and other kinds of items are not read at all: the query names the domain's days. */
    @Test
    void whatTheWindowDoesNotCoverIsNotRead() {
        for (int d = 1; d <= 9; d++) {
            store.store(report("Google", "2026-10-0" + d, sts("example.com", ENFORCE, d, 0)), "x", NOW, null);
            store.store(report("Google", "2026-11-0" + d, sts("example.org", ENFORCE, d, 0)), "x", NOW, null);
        }
        store.store(report("Google", "2026-11-05", sts("example.com", ENFORCE, 5, 0)), "x", NOW, null);
        client.putItem(p -> p.tableName(store.table()).item(Map.of("pk", AttributeValue.fromS("alert#example.com"),
                "sk", AttributeValue.fromS("alert"))));
        long[] consumed = {0};
        DynamoDbClient counting = DynamoDbClient.builder()
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .region(Dynamo.LOCAL_REGION).credentialsProvider(Dynamo.localCredentials())
                .endpointOverride(LocalTables.endpoint())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
                    @Override
                    public void afterUnmarshalling(software.amazon.awssdk.core.interceptor.Context.AfterUnmarshalling c,
                            software.amazon.awssdk.core.interceptor.ExecutionAttributes a) {
                        if (c.response() instanceof software.amazon.awssdk.services.dynamodb.model.QueryResponse q) {
                            consumed[0] += q.count();
                        }
                    }
                })).build();
        ReportStore reading = new ReportStore(counting, store.table(), Duration.ofDays(400));
        List<ReportHistory.Report> reports = new java.util.ArrayList<>();
        reading.days("example.com", LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-30"));
        ReportHistory.reports(reading, "example.com", LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-30"),
                reports::add);
        assertEquals(1, reports.size());
        assertEquals(2, consumed[0], "one day and one report read");
        counting.close();
    }

    @Test
    void unreadableItemsAreLeftOut() {
        client.putItem(p -> p.tableName(store.table()).item(Map.of("pk", AttributeValue.fromS("domain#example.com"),
                "sk", AttributeValue.fromS("report#2026-11-21#x"), "day", AttributeValue.fromS("someday"))));
        client.putItem(p -> p.tableName(store.table()).item(Items.toItem(Map.of("pk", "domain#example.com",
                "sk", "report#2026-11-22#y", "day", "2026-11-22", "organization", "Odd Sender",
                "counted", "not a map", "policies", List.of("not a map", Map.of("type", 7))))));
        Read h = read("example.com", "2026-11-01", "2026-11-30");
        assertEquals(1, h.reports().size());
        ReportHistory.Report odd = h.reports().get(0);
        assertEquals(0, odd.counted().successful());
        assertEquals(1, odd.entries().size());
        assertNull(odd.entries().get(0).type());
        assertEquals(List.of(), h.days());
    }
}
