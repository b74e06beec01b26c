package dev.mtasts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.mtasts.core.Policy;
import dev.mtasts.core.report.FailureDetail;
import dev.mtasts.core.report.PolicyResult;
import dev.mtasts.core.report.TlsReport;
import dev.mtasts.local.LocalDynamoDb;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Reading back, for a window of days, what the reports table holds: summaries and report items, on DynamoDB Local. */
class ReportHistoryTest {
    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    static final List<String> ENFORCE = List.of("version: STSv1", "mode: enforce", "mx: mail.example.com", "max_age: 604800");
    private static LocalDynamoDb dynamo;
    private static DynamoDbClient client;
    private ReportStore store;

    @BeforeAll
    static void start() {
        dynamo = LocalDynamoDb.start();
        client = Dynamo.create(dynamo.endpoint(), null);
    }

    @AfterAll
    static void stop() {
        client.close();
        dynamo.close();
    }

    @BeforeEach
    void freshTable() {
        store = new ReportStore(client, "history-" + System.nanoTime(), Duration.ofDays(400));
        store.createTable();
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

    @Test
    void aWindowOfDaysOfTheDomainsAskedFor() throws Exception {
        store.store(report("Google", "2026-11-20", sts("example.com", ENFORCE, 100, 0)), "a", NOW);
        store.store(report("Google", "2026-11-21", sts("example.com", ENFORCE, 90, 3,
                failure("certificate-expired", "mx2.example.com", "198.51.100.7", 3))), "b", NOW);
        store.store(report("Microsoft", "2026-11-21", sts("example.com", List.of(), 50, 0),
                sts("example.org", ENFORCE, 5, 0)), "c", NOW);
        store.store(report("Google", "2026-11-22", sts("example.org", ENFORCE, 7, 0)), "d", NOW);
        store.store(report("Google", "2026-11-25", sts("example.com", ENFORCE, 1, 0)), "e", NOW);

        ReportHistory.History h = ReportHistory.read(store, Set.of("example.com"),
                LocalDate.parse("2026-11-21"), LocalDate.parse("2026-11-24"));
        assertEquals(List.of("example.com 2026-11-21 140 3"), h.days().stream()
                .map(d -> d.domain() + " " + d.date() + " " + d.successful() + " " + d.failed()).toList());
        // the Microsoft report counts example.org too, and is kept whole
        assertEquals(List.of("Google 2026-11-21 [example.com]", "Microsoft 2026-11-21 [example.com, example.org]"),
                h.reports().stream().map(r -> r.organization() + " " + r.day() + " "
                        + r.counted().keySet().stream().sorted().toList()).toList());
        ReportHistory.Report google = h.reports().get(0);
        ReportHistory.Entry entry = google.entries().get(0);
        assertEquals("sts example.com 90 3 enforce " + Policy.parse(String.join("\n", ENFORCE)).id(),
                entry.type() + " " + entry.domain() + " " + entry.successful() + " " + entry.failed() + " "
                        + entry.mode() + " " + entry.policyId());
        assertEquals(List.of(new ReportHistory.Failure("certificate-expired", 3, "mx2.example.com", "198.51.100.7",
                "203.0.113.25")), entry.failures());
        assertEquals(new ReportStore.DomainCount(90, 3, Map.of("certificate-expired", 3L), "mx2.example.com",
                "203.0.113.25", "198.51.100.7"), google.counted().get("example.com"));
        // no policy string (Mail.ru): no mode, no id
        assertNull(h.reports().get(1).entries().get(0).mode());

        ReportHistory.History all = ReportHistory.read(store, Set.of(), LocalDate.parse("2026-11-01"),
                LocalDate.parse("2026-11-30"));
        assertEquals(5, all.reports().size());
        assertEquals(List.of("example.com 2026-11-20", "example.com 2026-11-21", "example.com 2026-11-25",
                "example.org 2026-11-21", "example.org 2026-11-22"),
                all.days().stream().map(d -> d.domain() + " " + d.date()).toList());
    }

    @Test
    void itemsOfOlderVersionsAndUnreadableOnesAreReadOrLeftOut() {
        // a report item as written before policies carried their mode and id, one without a day, and a stray item
        client.putItem(p -> p.tableName(store.table()).item(Items.toItem(Map.of(
                "pk", "report#old", "sk", "report", "organization", "Old Sender", "day", "2026-11-21",
                "counted", Map.of("example.com", Map.of("successful", 4, "failed", 1, "failures", Map.of("starttls-not-supported", 1))),
                "policies", List.of(Map.of("type", "sts", "domain", "example.com", "successful", 4, "failed", 1,
                        "failures", List.of(Map.of("result_type", "starttls-not-supported", "count", 1)),
                        "failures_omitted", 0))))));
        client.putItem(p -> p.tableName(store.table()).item(Map.of("pk", AttributeValue.fromS("report#noday"),
                "sk", AttributeValue.fromS("report"), "day", AttributeValue.fromS("someday"))));
        client.putItem(p -> p.tableName(store.table()).item(Map.of("pk", AttributeValue.fromS("alert#example.com"),
                "sk", AttributeValue.fromS("alert"))));
        ReportHistory.History h = ReportHistory.read(store, Set.of(), LocalDate.parse("2026-11-01"),
                LocalDate.parse("2026-11-30"));
        assertEquals(1, h.reports().size());
        ReportHistory.Entry e = h.reports().get(0).entries().get(0);
        assertNull(e.mode());
        assertNull(e.policyId());
        assertEquals(List.of(new ReportHistory.Failure("starttls-not-supported", 1, null, null, null)), e.failures());
        assertEquals(List.of(), h.days());
    }
}
