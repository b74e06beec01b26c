package dev.mtasts.store;

import dev.mtasts.core.report.FailureDetail;
import dev.mtasts.core.report.PolicyResult;
import dev.mtasts.core.report.TlsReport;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The reports table: partition key {@code pk} (S), sort key {@code sk} (S), TTL attribute {@code expires}.
 * <ul>
 *   <li>one item per report: {@code pk = report#<sha256 of organisation and report-id>}, {@code sk = report};</li>
 *   <li>one item per domain and day: {@code pk = domain#<domain>}, {@code sk = day#<yyyy-mm-dd>}, with
 *       {@code successful}, {@code failed}, a {@code failure:<result-type>} count per result type and the set of
 *       {@code reporters}.</li>
 * </ul>
 * A report and its counts are written in one transaction whose first action requires the report to be new, so a
 * report delivered twice, even at the same moment, is stored and counted once.
 */
public final class ReportStore {
    public static final String TABLE_ENV = "REPORTS_TABLE";
    public static final String DEFAULT_TABLE = "mta-sts-reports";
    public static final String TTL_ENV = "REPORT_TTL_DAYS";
    public static final int DEFAULT_TTL_DAYS = 400;
    /** Failure details kept in the report item per policy (the raw report keeps them all). */
    static final int MAX_DETAILS = 50;
    /** DynamoDB allows 100 actions a transaction: one for the report, the rest for domains. */
    static final int MAX_DOMAINS = 99;
    private static final String FAILURE_PREFIX = "failure:";
    /** Strings a sender controls are cut to this length in items (the raw report keeps them whole). */
    static final int MAX_TEXT = 256;
    /** Result types counted per domain and day; the rest of a report's are counted as "other". */
    static final int MAX_RESULT_TYPES = 20;
    private static final int ATTEMPTS = 8;

    private final DynamoDbClient client;
    private final String table;
    private final Duration ttl;

    public ReportStore(DynamoDbClient client, String table, Duration ttl) {
        this.client = client;
        this.table = table;
        this.ttl = ttl;
    }

    public String table() {
        return table;
    }

    /** Whether {@link #store} wrote the report or found it there already. */
    public enum Outcome { STORED, DUPLICATE }

    /** Stores a report and adds its sessions to each domain's day, once per report however often it arrives. */
    public Outcome store(TlsReport report, String rawKey, Instant receivedAt) {
        Map<String, TlsReport.DomainTotals> totals = report.totalsByDomain();
        if (totals.size() > MAX_DOMAINS) {
            throw new IllegalArgumentException("a report naming " + totals.size() + " domains is not stored (at most "
                    + MAX_DOMAINS + ")");
        }
        LocalDate day = report.day() != null ? report.day() : LocalDate.ofInstant(receivedAt, ZoneOffset.UTC);
        long expires = receivedAt.plus(ttl).getEpochSecond();
        List<TransactWriteItem> actions = new ArrayList<>();
        Map<String, AttributeValue> item = reportItem(report, rawKey, receivedAt, day, expires);
        actions.add(TransactWriteItem.builder().put(p -> p.tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk)")).build());
        String reporter = report.organization() == null ? "(unknown)" : report.organization();
        totals.forEach((domain, t) -> actions.add(TransactWriteItem.builder().update(dayUpdate(domain, day, t, reporter, expires)).build()));
        for (int attempt = 1; ; attempt++) {
            try {
                DomainStore.call(() -> client.transactWriteItems(r -> r.transactItems(actions)));
                return Outcome.STORED;
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.cancellationReasons();
                if (!reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.get(0).code())) {
                    return Outcome.DUPLICATE;
                }
                boolean conflict = reasons.stream().anyMatch(r -> "TransactionConflict".equals(r.code()));
                if (!conflict || attempt == ATTEMPTS) {
                    throw new StoreUnavailableException("report transaction cancelled: " + reasons, e);
                }
                sleep(attempt);
            }
        }
    }

    private Update dayUpdate(String domain, LocalDate day, TlsReport.DomainTotals t, String reporter, long expires) {
        Map<String, String> names = new LinkedHashMap<>();
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        StringBuilder add = new StringBuilder("ADD successful :s, failed :f, reporters :r");
        values.put(":s", n(t.successful()));
        values.put(":f", n(t.failed()));
        values.put(":r", AttributeValue.fromSs(List.of(cut(reporter))));
        Map<String, Long> failures = new TreeMap<>();
        t.failures().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEachOrdered(f -> failures.merge(failures.size() < MAX_RESULT_TYPES || failures.containsKey(cut(f.getKey()))
                        ? cut(f.getKey()) : "other", f.getValue(), Long::sum));
        int i = 0;
        for (Map.Entry<String, Long> f : failures.entrySet()) {
            names.put("#f" + i, FAILURE_PREFIX + f.getKey());
            values.put(":f" + i, n(f.getValue()));
            add.append(", #f").append(i).append(" :f").append(i);
            i++;
        }
        values.put(":d", AttributeValue.fromS(domain));
        values.put(":day", AttributeValue.fromS(day.toString()));
        values.put(":e", n(expires));
        String expression = add + " SET #domain = :d, #date = :day, expires = :e";
        names.put("#domain", "domain");
        names.put("#date", "date");
        return Update.builder().tableName(table)
                .key(Map.of("pk", AttributeValue.fromS("domain#" + domain), "sk", AttributeValue.fromS("day#" + day)))
                .updateExpression(expression)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .build();
    }

    private static Map<String, AttributeValue> reportItem(TlsReport r, String rawKey, Instant receivedAt, LocalDate day,
            long expires) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("pk", reportKey(r));
        item.put("sk", "report");
        item.put("organization", cut(r.organization()));
        item.put("report_id", cut(r.reportId()));
        item.put("digest", r.digest());
        item.put("start", r.start() == null ? null : r.start().toString());
        item.put("end", r.end() == null ? null : r.end().toString());
        item.put("day", day.toString());
        item.put("contact", cut(r.contactInfo()));
        item.put("raw_key", rawKey);
        item.put("received", receivedAt.toString());
        item.put("expires", expires);
        List<Object> policies = new ArrayList<>();
        for (PolicyResult p : r.policies()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", cut(p.type()));
            m.put("domain", p.domain());
            m.put("successful", p.successful());
            m.put("failed", p.failed());
            List<Object> details = new ArrayList<>();
            p.failures().stream()
                    .sorted(Comparator.comparingLong(FailureDetail::count).reversed())
                    .limit(MAX_DETAILS)
                    .forEach(f -> {
                        Map<String, Object> d = new LinkedHashMap<>();
                        d.put("result_type", cut(f.resultType()));
                        d.put("count", f.failedSessionCount());
                        d.put("receiving_mx", cut(f.receivingMxHostname()));
                        d.put("sending_ip", cut(f.sendingMtaIp()));
                        d.put("receiving_ip", cut(f.receivingIp()));
                        d.put("reason", cut(f.failureReasonCode()));
                        details.add(d);
                    });
            m.put("failures", details);
            m.put("failures_omitted", Math.max(0, p.failures().size() - MAX_DETAILS));
            policies.add(m);
        }
        item.put("policies", policies);
        return Items.toItem(item);
    }

    /** The key of a report's item: organisation and report-id, hashed to a fixed length. */
    static String reportKey(TlsReport r) {
        return "report#" + dev.mtasts.core.Sha256.hex(r.identity());
    }

    /** A stored report's item, as plain values, or null. */
    public Map<String, Object> find(TlsReport r) {
        Map<String, AttributeValue> item = DomainStore.call(() -> client.getItem(g -> g.tableName(table).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(reportKey(r)), "sk", AttributeValue.fromS("report"))))).item();
        return item == null || item.isEmpty() ? null : Items.toPlain(item);
    }

    /** Sessions of one domain on one day, summed over every report counted. */
    public record Day(String domain, LocalDate date, long successful, long failed, Map<String, Long> failures,
            Set<String> reporters) {
    }

    /** Per domain and day, oldest first; {@code domain} null for every domain. */
    public List<Day> days(String domain, LocalDate since) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        String from = "day#" + (since == null ? "" : since.toString());
        if (domain != null) {
            Map<String, AttributeValue> start = null;
            do {
                QueryRequest.Builder q = QueryRequest.builder().tableName(table).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND sk >= :from")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("domain#" + domain),
                                ":from", AttributeValue.fromS(from)));
                if (start != null) {
                    q.exclusiveStartKey(start);
                }
                QueryResponse page = DomainStore.call(() -> client.query(q.build()));
                items.addAll(page.items());
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            } while (start != null);
        } else {
            Map<String, AttributeValue> start = null;
            do {
                ScanRequest.Builder s = ScanRequest.builder().tableName(table).consistentRead(true)
                        .filterExpression("begins_with(pk, :p) AND sk >= :from")
                        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("domain#"),
                                ":from", AttributeValue.fromS(from)));
                if (start != null) {
                    s.exclusiveStartKey(start);
                }
                ScanResponse page = DomainStore.call(() -> client.scan(s.build()));
                items.addAll(page.items());
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            } while (start != null);
        }
        List<Day> days = new ArrayList<>();
        for (Map<String, AttributeValue> i : items) {
            Map<String, Long> failures = new TreeMap<>();
            i.forEach((k, v) -> {
                if (k.startsWith(FAILURE_PREFIX)) {
                    failures.put(k.substring(FAILURE_PREFIX.length()), Long.parseLong(v.n()));
                }
            });
            days.add(new Day(i.get("domain").s(), LocalDate.parse(i.get("date").s()), number(i, "successful"),
                    number(i, "failed"), failures, i.containsKey("reporters") ? new TreeSet<>(i.get("reporters").ss()) : Set.of()));
        }
        days.sort(Comparator.comparing(Day::domain).thenComparing(Day::date));
        return days;
    }

    /** Creates the table as template.yaml does; no-op if it exists. */
    public void createTable() {
        try {
            DomainStore.call(() -> client.createTable(r -> r.tableName(table)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST)));
        } catch (ResourceInUseException e) {
            // already there
        }
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    private static String cut(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 1) + "…";
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    private static void sleep(int attempt) {
        try {
            Thread.sleep((long) (Math.random() * 20 * (1L << Math.min(attempt, 6))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted", e);
        }
    }
}
