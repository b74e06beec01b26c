package dev.mtasts.store;

import dev.mtasts.core.Quote;
import dev.mtasts.core.report.FailureDetail;
import dev.mtasts.core.report.PolicyResult;
import dev.mtasts.core.report.ResultTypes;
import dev.mtasts.core.report.TlsReport;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The reports table: partition key {@code pk} (S), sort key {@code sk} (S), TTL attribute {@code expires}, and a
 * stream of new items, from which each new report's metrics and alert are sent ({@link Notices}).
 * <ul>
 *   <li>one item per report, its claim: {@code pk = report#<the report's identity>} (the SHA-256 of its content,
 *       {@link TlsReport#identity}), {@code sk = report}, with what it {@code counted} per domain and where its
 *       original bytes are kept ({@code raw_key});</li>
 *   <li>one item per domain and day: {@code pk = domain#<domain>}, {@code sk = day#<yyyy-mm-dd>}, with
 *       {@code successful}, {@code failed}, a {@code failure:<result-type>} count per result type, the
 *       {@code reporters}, and how many {@code reports} it counts and how many of them it keeps the details of
 *       ({@code detailed} of those POSTed, counted also per source address as {@code src:<address>}, and
 *       {@code detailed_mail} of those that came by e-mail or through the bucket);</li>
 *   <li>per domain and report, in the domain's partition next to its days so that a page of some days reads only
 *       those: {@code pk = domain#<domain>}, {@code sk = report#<yyyy-mm-dd>#<identity>}, with the domain's share of
 *       the report and a bounded copy of its policies and their largest failure details, each {@code sts} one
 *       with the {@code mode} and {@code policy_id} of the policy the sender saw
 *       ({@link dev.mtasts.core.report.SeenPolicy}); a domain and day keep the details of at most
 *       {@link #MAX_DETAILED} reports POSTed (of at most {@link #MAX_DETAILED_PER_SOURCE} from one source address)
 *       and {@link #MAX_DETAILED} that came by e-mail (whose sender SES checked) or through the bucket;</li>
 *   <li>one item per domain that has reports: {@code pk = index#domains}, {@code sk = <domain>}, so the domains
 *       with reports are found without reading the table.</li>
 * </ul>
 * A report and its counts are written in one transaction whose first action requires the report to be new, so a
 * report delivered twice, even at the same moment, is stored and counted once; a report with other content is
 * another report, whatever its organisation and report-id say.
 *
 * <p>Whatever senders write, every item stays far below DynamoDB's 400 KB and every domain's day holds a bounded
 * number of items, so no sender can make another's report unstorable, and a page of a domain's days costs what
 * those days hold: sender strings are cut, and a day keeps its own count for each registered result type but for
 * only {@link #MAX_RESULT_TYPES} others (first come; later ones are counted under {@code other}), names only
 * {@link #MAX_REPORTERS} reporters (reports by more are counted in {@code other_reporters}) and keeps the details of
 * only {@link #MAX_DETAILED} reports. Those bounds hold under concurrent writers: a write that takes a new place is
 * conditional on what it read, and read again when another writer was quicker.
 */
public final class ReportStore {
    public static final String TABLE_ENV = "REPORTS_TABLE";
    public static final String DEFAULT_TABLE = "mta-sts-reports";
    public static final String TTL_ENV = "REPORT_TTL_DAYS";
    public static final int DEFAULT_TTL_DAYS = 400;
    /** Policies, and failure details over all of them, kept in the report item (the raw report keeps them all). */
    static final int MAX_POLICIES = 20;
    static final int MAX_DETAILS = 20;
    /**
     * DynamoDB allows 100 actions a transaction: one for the report and up to three per domain (its day, its share
     * of the report, and the index of domains).
     */
    static final int MAX_DOMAINS = 33;
    /**
     * Reports whose details (MX hosts, IP addresses, the policy seen) a domain keeps a day, of each way they arrive:
     * a domain hears from a dozen or so senders a day; beyond this, a report is still counted in the day, not
     * detailed. Reports by e-mail have places of their own, so that forged POSTs, which anyone can send, cannot take
     * the places of reports whose sender SES checked.
     */
    public static final int MAX_DETAILED = 100;
    /**
     * Places one source address may take of a day's {@link #MAX_DETAILED} for POSTed reports: a sender sends one
     * report per domain a day, an hourly sender 24, so a forger needs many addresses to take them all.
     */
    public static final int MAX_DETAILED_PER_SOURCE = 25;
    static final String SOURCE_PREFIX = "src:";
    static final String INDEX = "index#domains";
    /** Strings a sender controls are cut to this length in items (the raw report keeps them whole). */
    static final int MAX_TEXT = 256;
    /**
     * In a domain's share of a report, what the page shows is cut to what a real one needs: a host name (253
     * characters at most, DNS's limit, as an organisation's name is far shorter), an address (45, IPv6 with IPv4).
     */
    static final int MAX_NAME = 253;
    static final int MAX_ADDRESS = 45;
    /** Result types beyond the registered ones: this many per report and domain, and per domain and day. */
    public static final int MAX_RESULT_TYPES = 20;
    /** Length of a result type's name in counts: registered ones are at most 24 characters. */
    static final int MAX_TYPE_TEXT = 64;
    /** Reporters named per domain and day. */
    public static final int MAX_REPORTERS = 50;
    static final String FAILURE_PREFIX = "failure:";
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

    DynamoDbClient client() {
        return client;
    }

    /** Whether {@link #store} wrote the report or found it there already. */
    public enum Outcome { STORED, DUPLICATE }

    /**
     * What {@link #store} did, and where the original of the report it stored (or found) is kept: a duplicate's
     * bytes need not be kept again.
     */
    public record Stored(Outcome outcome, String rawKey) {
    }

    /** DynamoDB refused the report's items for good (too large, or an attribute of another type): retrying cannot help. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Stores a report and adds its sessions to each domain's day, once per report however often it arrives.
     *
     * @param rawKey where this delivery's original bytes are (or will be) kept
     * @param source the address a POSTed report came from ({@link SourceAllowance#sourceKey}), or null for a report
     *     that came by e-mail or through the bucket
     * @throws Refused when DynamoDB refuses the items as invalid
     * @throws StoreUnavailableException when DynamoDB is unreachable, throttling, or too busy with the same items
     */
    public Stored store(TlsReport report, String rawKey, Instant receivedAt, String source) {
        Map<String, TlsReport.DomainTotals> totals = report.totalsByDomain();
        if (totals.size() > MAX_DOMAINS) {
            throw new Refused("a report naming " + totals.size() + " domains is not stored (at most " + MAX_DOMAINS + ")");
        }
        String identity = report.identity();
        LocalDate day = report.day() != null ? report.day() : LocalDate.ofInstant(receivedAt, ZoneOffset.UTC);
        long expires = receivedAt.plus(ttl).getEpochSecond();
        Map<String, Map<String, Long>> failures = new TreeMap<>();
        totals.forEach((domain, t) -> failures.put(domain, bounded(t.failures())));
        Map<String, AttributeValue> claim = claimItem(report, identity, totals, failures, rawKey, receivedAt, day, expires);
        String reporter = Quote.cut(report.organization() == null ? "(unknown)" : report.organization(), MAX_TEXT);
        List<String> domains = new ArrayList<>(totals.keySet());
        Map<String, Shape> seen = new HashMap<>();
        for (int attempt = 1; ; attempt++) {
            List<TransactWriteItem> actions = new ArrayList<>();
            // which domain's day each action updates (null: not a day), to tell whose condition failed
            List<String> dayOf = new ArrayList<>();
            actions.add(TransactWriteItem.builder().put(p -> p.tableName(table).item(claim)
                    .conditionExpression("attribute_not_exists(pk)")
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).build());
            dayOf.add(null);
            List<Plan> plans = new ArrayList<>();
            for (String domain : domains) {
                Shape shape = seen.computeIfAbsent(domain, d -> {
                    Shape known = shapes.get(d + "#" + day);
                    return known != null ? known : read(d, day);
                });
                TlsReport.DomainTotals t = totals.get(domain);
                Plan plan = dayUpdate(domain, day, t.successful(), t.failed(), failures.get(domain), reporter, expires, shape,
                        source);
                plans.add(plan);
                actions.add(TransactWriteItem.builder().update(plan.update()).build());
                dayOf.add(domain);
                if (plan.detailed()) {
                    Map<String, AttributeValue> share = shareItem(report, identity, domain, t, failures.get(domain), day,
                            receivedAt, expires);
                    actions.add(TransactWriteItem.builder().put(p -> p.tableName(table).item(share)).build());
                    dayOf.add(null);
                }
                if (shape == Shape.NONE) {
                    // the first report of the domain's day as far as anyone here knows: the index names the domain
                    actions.add(TransactWriteItem.builder().put(p -> p.tableName(table).item(Map.of(
                            "pk", AttributeValue.fromS(INDEX), "sk", AttributeValue.fromS(domain),
                            "last_day", AttributeValue.fromS(day.toString()), "expires", n(expires)))).build());
                    dayOf.add(null);
                }
            }
            try {
                DomainStore.call(() -> client.transactWriteItems(r -> r.transactItems(actions)));
                for (int i = 0; i < domains.size(); i++) {
                    shapes.put(domains.get(i) + "#" + day, plans.get(i).after());
                }
                return new Stored(Outcome.STORED, rawKey);
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.cancellationReasons();
                if (!reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.get(0).code())) {
                    Map<String, AttributeValue> kept = reasons.get(0).hasItem() ? reasons.get(0).item() : null;
                    AttributeValue keptRaw = kept == null ? null : kept.get("raw_key");
                    return new Stored(Outcome.DUPLICATE, keptRaw == null ? null : keptRaw.s());
                }
                boolean again = false;
                for (int i = 0; i < reasons.size(); i++) {
                    String code = reasons.get(i).code();
                    if (code == null || code.equals("None")) {
                        continue;
                    }
                    String domain = i < dayOf.size() ? dayOf.get(i) : null;
                    switch (code) {
                        case "ConditionalCheckFailed" -> {
                            // another writer took a place in this day's summary first: read it again
                            shapes.remove(domain + "#" + day);
                            seen.put(domain, read(domain, day));
                            again = true;
                        }
                        case "TransactionConflict" -> again = true;
                        case "ValidationError" -> throw refused(domain, day, reasons.get(i).message());
                        default -> throw new StoreUnavailableException("report transaction cancelled: " + code, e);
                    }
                }
                if (!again || attempt == ATTEMPTS) {
                    throw new StoreUnavailableException("report transaction cancelled " + attempt + " times: " + reasons, e);
                }
                sleep(attempt);
            } catch (DynamoDbException e) {
                String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
                if ("ValidationException".equals(code)) {
                    String m = e.awsErrorDetails().errorMessage();
                    // only the summaries are updated: an update's complaint with one of them is about that one
                    boolean summary = m != null && m.toLowerCase(java.util.Locale.ROOT).contains("update") && domains.size() == 1;
                    throw refused(summary ? domains.get(0) : null, day, m);
                }
                throw e;
            }
        }
    }

    /** DynamoDB's reason, in our words: its own carry request ids and internals. */
    private static Refused refused(String domain, LocalDate day, String dynamoMessage) {
        String m = dynamoMessage == null ? "" : dynamoMessage.toLowerCase(java.util.Locale.ROOT);
        String why = m.contains("size") ? "it would make an item larger than DynamoDB's 400 KB"
                : m.contains("type") ? "an attribute there holds another type of value"
                : "DynamoDB refused it as invalid";
        return new Refused(domain == null ? "cannot be stored: " + why
                : "cannot be stored in the summary of " + domain + " on " + day + ": " + why);
    }

    /**
     * A report's own count of each result type: registered ones as they are, up to {@link #MAX_RESULT_TYPES} others
     * (the largest, names cut to {@link #MAX_TYPE_TEXT}), the rest as {@code other}.
     */
    static Map<String, Long> bounded(Map<String, Long> failures) {
        Map<String, Long> out = new TreeMap<>();
        int others = 0;
        List<Map.Entry<String, Long>> bySize = new ArrayList<>(failures.entrySet());
        bySize.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        for (Map.Entry<String, Long> f : bySize) {
            String type = ResultTypes.reserved(f.getKey()) ? f.getKey() : Quote.cut(f.getKey(), MAX_TYPE_TEXT);
            if (!ResultTypes.reserved(type) && !out.containsKey(type) && others++ >= MAX_RESULT_TYPES) {
                type = ResultTypes.OTHER;
            }
            out.merge(type, f.getValue(), TlsReport::plus);
        }
        return out;
    }

    /**
     * What planning a write to a day's summary needs to know of it: the result types it counts, how many places
     * for unregistered ones are taken ({@code counter}: as {@code custom_types}, else counted from an item an older
     * version wrote), and the reporters it names. Places are never given back, so a shape known from an earlier
     * write may lag but never claims more than is there; each write that takes a place checks.
     */
    private record Shape(Set<String> types, int custom, boolean counter, Set<String> reporters, long detailed,
            long detailedMail, Map<String, Long> bySource) {
        static final Shape NONE = new Shape(Set.of(), 0, false, Set.of(), 0, 0, Map.of());

        static Shape of(Map<String, AttributeValue> item) {
            if (item.isEmpty()) {
                return NONE;
            }
            Set<String> types = new java.util.HashSet<>();
            int unregistered = 0;
            for (String k : item.keySet()) {
                if (k.startsWith(FAILURE_PREFIX)) {
                    String type = k.substring(FAILURE_PREFIX.length());
                    types.add(type);
                    unregistered += ResultTypes.reserved(type) ? 0 : 1;
                }
            }
            AttributeValue counter = item.get("custom_types");
            AttributeValue reporters = item.get("reporters");
            return new Shape(types, counter != null ? (int) number(counter) : unregistered, counter != null,
                    reporters != null && reporters.hasSs() ? Set.copyOf(reporters.ss()) : Set.of(),
                    number(item.get("detailed")), number(item.get("detailed_mail")), sources(item));
        }
    }

    /** The places each source address has taken of a day's details. */
    private static Map<String, Long> sources(Map<String, AttributeValue> item) {
        Map<String, Long> out = new HashMap<>();
        item.forEach((k, v) -> {
            if (k.startsWith(SOURCE_PREFIX)) {
                out.put(k.substring(SOURCE_PREFIX.length()), number(v));
            }
        });
        return out;
    }

    /** A write to a day's summary, whether the report's details are kept with it, and the summary's shape after. */
    private record Plan(Update update, boolean detailed, Shape after) {
    }

    /** Shapes of the summaries this container wrote last, so a run of reports for one day costs no reads. */
    private final Map<String, Shape> shapes = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Shape> eldest) {
                    return size() > 256;
                }
            });

    private Shape read(String domain, LocalDate day) {
        Map<String, AttributeValue> item = DomainStore.call(() -> client.getItem(g -> g.tableName(table)
                .consistentRead(true).key(dayKey(domain, day)))).item();
        return Shape.of(item == null ? Map.of() : item);
    }

    private static Map<String, AttributeValue> dayKey(String domain, LocalDate day) {
        return Map.of("pk", AttributeValue.fromS("domain#" + domain), "sk", AttributeValue.fromS("day#" + day));
    }

    /**
     * Adds a report to a domain's day, planned from the summary's shape as last known: the new places it takes (a
     * result type, a reporter) are conditional on that still holding.
     */
    private Plan dayUpdate(String domain, LocalDate day, long successful, long failed, Map<String, Long> failures,
            String reporter, long expires, Shape shape, String source) {
        Map<String, String> names = new LinkedHashMap<>();
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        List<String> add = new ArrayList<>(List.of("successful :s", "failed :f"));
        List<String> conditions = new ArrayList<>();
        values.put(":s", n(successful));
        values.put(":f", n(failed));

        Map<String, Long> counted = new TreeMap<>();
        Set<String> taking = new java.util.HashSet<>();
        for (Map.Entry<String, Long> f : failures.entrySet()) {
            String type = f.getKey();
            if (!ResultTypes.reserved(type) && !shape.types().contains(type)) {
                if (shape.custom() + taking.size() < MAX_RESULT_TYPES) {
                    taking.add(type);
                } else {
                    type = ResultTypes.OTHER;
                }
            }
            counted.merge(type, f.getValue(), TlsReport::plus);
        }
        int taken = taking.size();
        int i = 0;
        for (Map.Entry<String, Long> f : counted.entrySet()) {
            names.put("#f" + i, FAILURE_PREFIX + f.getKey());
            values.put(":f" + i, n(f.getValue()));
            add.add("#f" + i + " :f" + i);
            if (taking.contains(f.getKey())) {
                // a writer that took this very type first makes this fail, so no type is counted twice
                conditions.add("attribute_not_exists(#f" + i + ")");
            }
            i++;
        }
        if (taken > 0) {
            if (!shape.counter() && shape.custom() > 0) {
                // a summary from before the counter: start it from the types read, once
                values.put(":taken", n(shape.custom() + taken));
                conditions.add("attribute_not_exists(custom_types)");
            } else {
                // room is checked when written, not against what was read: writers of other types do not collide
                values.put(":taken", n(taken));
                values.put(":room", n(MAX_RESULT_TYPES - taken));
                conditions.add("(attribute_not_exists(custom_types) OR custom_types <= :room)");
            }
            add.add("custom_types :taken");
        }

        boolean named = shape.reporters().contains(reporter);
        boolean naming = named || shape.reporters().size() < MAX_REPORTERS;
        if (naming) {
            values.put(":r", AttributeValue.fromSs(List.of(reporter)));
            add.add("reporters :r");
            if (!named) {
                values.put(":rs", AttributeValue.fromS(reporter));
                values.put(":maxr", n(MAX_REPORTERS));
                conditions.add("(attribute_not_exists(reporters) OR contains(reporters, :rs) OR size(reporters) < :maxr)");
            }
        } else {
            add.add("other_reporters :one");
        }

        values.put(":one", n(1));
        add.add("reports :one");
        boolean detailed;
        if (source == null) {
            detailed = shape.detailedMail() < MAX_DETAILED;
            if (detailed) {
                values.put(":maxd", n(MAX_DETAILED));
                add.add("detailed_mail :one");
                conditions.add("(attribute_not_exists(detailed_mail) OR detailed_mail < :maxd)");
            }
        } else {
            detailed = shape.detailed() < MAX_DETAILED
                    && shape.bySource().getOrDefault(source, 0L) < MAX_DETAILED_PER_SOURCE;
            if (detailed) {
                // the places of the day and of its source: taken only while there is room, checked when written
                values.put(":maxd", n(MAX_DETAILED));
                values.put(":maxs", n(MAX_DETAILED_PER_SOURCE));
                names.put("#src", SOURCE_PREFIX + source);
                add.add("detailed :one");
                add.add("#src :one");
                conditions.add("(attribute_not_exists(detailed) OR detailed < :maxd)");
                conditions.add("(attribute_not_exists(#src) OR #src < :maxs)");
            }
        }

        values.put(":d", AttributeValue.fromS(domain));
        values.put(":day", AttributeValue.fromS(day.toString()));
        values.put(":e", n(expires));
        names.put("#domain", "domain");
        names.put("#date", "date");
        Update.Builder u = Update.builder().tableName(table)
                .key(dayKey(domain, day))
                .updateExpression("ADD " + String.join(", ", add) + " SET #domain = :d, #date = :day, expires = :e")
                .expressionAttributeNames(names)
                .expressionAttributeValues(values);
        if (!conditions.isEmpty()) {
            u.conditionExpression(String.join(" AND ", conditions));
        }
        Set<String> types = new java.util.HashSet<>(shape.types());
        types.addAll(counted.keySet());
        Set<String> reporters = shape.reporters();
        if (naming && !named) {
            reporters = new java.util.HashSet<>(reporters);
            reporters.add(reporter);
        }
        Map<String, Long> bySource = shape.bySource();
        if (detailed && source != null) {
            bySource = new HashMap<>(bySource);
            bySource.merge(source, 1L, Long::sum);
        }
        return new Plan(u.build(), detailed, new Shape(types, shape.custom() + taken, shape.counter() || taken > 0,
                reporters, shape.detailed() + (detailed && source != null ? 1 : 0),
                shape.detailedMail() + (detailed && source == null ? 1 : 0), bySource));
    }

    /** The report's claim: that it is stored, what it counted per domain, and where its original is kept. */
    private static Map<String, AttributeValue> claimItem(TlsReport r, String identity,
            Map<String, TlsReport.DomainTotals> totals, Map<String, Map<String, Long>> failures, String rawKey,
            Instant receivedAt, LocalDate day, long expires) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("pk", "report#" + identity);
        item.put("sk", "report");
        item.put("organization", cut(r.organization()));
        item.put("report_id", cut(r.reportId()));
        item.put("start", r.start() == null ? null : r.start().toString());
        item.put("end", r.end() == null ? null : r.end().toString());
        item.put("day", day.toString());
        item.put("contact", cut(r.contactInfo()));
        item.put("raw_key", rawKey);
        item.put("received", receivedAt.toString());
        item.put("expires", expires);
        Map<String, Object> counted = new TreeMap<>();
        totals.forEach((domain, t) -> {
            Map<String, Object> c = counted(t, failures.get(domain));
            policiesOf(r, domain).flatMap(p -> p.failures().stream())
                    .max(Comparator.comparingLong(FailureDetail::count))
                    .ifPresent(f -> {
                        Map<String, Object> sample = new LinkedHashMap<>();
                        sample.put("receiving_mx", cut(f.receivingMxHostname(), 100));
                        sample.put("receiving_ip", cut(f.receivingIp(), 100));
                        sample.put("sending_ip", cut(f.sendingMtaIp(), 100));
                        c.put("sample", sample);
                    });
            counted.put(domain, c);
        });
        item.put("counted", counted);
        return Items.toItem(item);
    }

    private static Map<String, Object> counted(TlsReport.DomainTotals t, Map<String, Long> failures) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("successful", t.successful());
        c.put("failed", t.failed());
        c.put("failures", failures);
        return c;
    }

    private static java.util.stream.Stream<PolicyResult> policiesOf(TlsReport r, String domain) {
        return r.policies().stream()
                .filter(p -> domain.equals(p.domain() == null ? TlsReport.UNATTRIBUTED : p.domain()));
    }

    /**
     * A domain's share of a report, kept in the domain's partition: who sent it, what it counted for the domain, and
     * a bounded copy of the domain's policies with their largest failure details, as much of them as pictures of the
     * reports show (the raw report keeps them all, free text such as failure-reason-code included).
     */
    private static Map<String, AttributeValue> shareItem(TlsReport r, String identity, String domain,
            TlsReport.DomainTotals t, Map<String, Long> failures, LocalDate day, Instant receivedAt, long expires) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("pk", "domain#" + domain);
        item.put("sk", "report#" + day + "#" + identity);
        item.put("organization", cut(r.organization(), MAX_NAME));
        item.put("day", day.toString());
        item.put("expires", expires);
        item.put("counted", counted(t, failures));
        List<PolicyResult> mine = policiesOf(r, domain).toList();
        List<Object> policies = new ArrayList<>();
        int details = 0;
        for (PolicyResult p : mine) {
            if (policies.size() == MAX_POLICIES) {
                break;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", cut(p.type(), MAX_TYPE_TEXT));
            m.put("successful", p.successful());
            m.put("failed", p.failed());
            dev.mtasts.core.report.SeenPolicy seen = dev.mtasts.core.report.SeenPolicy.of(p);
            if (seen != null) {
                m.put("mode", seen.mode().text());
                m.put("policy_id", seen.id());
            }
            List<Object> kept = new ArrayList<>();
            for (FailureDetail f : p.failures().stream()
                    .sorted(Comparator.comparingLong(FailureDetail::count).reversed())
                    .limit(Math.max(0, MAX_DETAILS - details)).toList()) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("result_type", cut(f.resultType(), MAX_TYPE_TEXT));
                d.put("count", f.failedSessionCount());
                d.put("receiving_mx", cut(f.receivingMxHostname(), MAX_NAME));
                d.put("sending_ip", cut(f.sendingMtaIp(), MAX_ADDRESS));
                d.put("receiving_ip", cut(f.receivingIp(), MAX_ADDRESS));
                kept.add(d);
            }
            details += kept.size();
            m.put("failures", kept);
            m.put("failures_omitted", p.failures().size() - kept.size());
            policies.add(m);
        }
        item.put("policies", policies);
        item.put("policies_omitted", mine.size() - policies.size());
        return Items.toItem(item);
    }

    /** The key of a report's item: its content's digest, so only the same report is a duplicate. */
    static String reportKey(TlsReport r) {
        return "report#" + r.identity();
    }

    /** A stored report's item, as plain values, or null. */
    public Map<String, Object> find(TlsReport r) {
        Map<String, AttributeValue> item = DomainStore.call(() -> client.getItem(g -> g.tableName(table).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(reportKey(r)), "sk", AttributeValue.fromS("report"))))).item();
        return item == null || item.isEmpty() ? null : Items.toPlain(item);
    }

    /** What one stored report counted, read back from its item (as the table's stream carries it). */
    public record Counted(String key, String organization, String reportId, LocalDate day,
            Map<String, DomainCount> domains) {
        public Counted {
            domains = Map.copyOf(domains);
        }

        /** From a report item as plain values ({@link Items#toPlain}); anything unreadable counts as absent. */
        public static Counted of(Map<String, Object> item) {
            Map<String, DomainCount> domains = new TreeMap<>();
            if (item.get("counted") instanceof Map<?, ?> counted) {
                counted.forEach((domain, v) -> {
                    if (v instanceof Map<?, ?> c) {
                        Map<String, Long> failures = new TreeMap<>();
                        if (c.get("failures") instanceof Map<?, ?> f) {
                            f.forEach((type, count) -> failures.put(String.valueOf(type), plain(count)));
                        }
                        Map<?, ?> sample = c.get("sample") instanceof Map<?, ?> s ? s : Map.of();
                        domains.put(String.valueOf(domain), new DomainCount(plain(c.get("successful")),
                                plain(c.get("failed")), failures, text(sample.get("receiving_mx")),
                                text(sample.get("receiving_ip")), text(sample.get("sending_ip"))));
                    }
                });
            }
            LocalDate day = null;
            try {
                day = item.get("day") instanceof String d ? LocalDate.parse(d) : null;
            } catch (DateTimeParseException e) {
                // an unreadable day is no day
            }
            return new Counted(text(item.get("pk")), text(item.get("organization")), text(item.get("report_id")), day,
                    domains);
        }

        private static String text(Object o) {
            return o instanceof String s ? s : null;
        }
    }

    /** One domain's share of a stored report, and its largest failure detail (null fields when none). */
    public record DomainCount(long successful, long failed, Map<String, Long> failures, String receivingMx,
            String receivingIp, String sendingIp) {
        public DomainCount {
            failures = Map.copyOf(failures);
        }
    }

    /**
     * Sessions of one domain on one day, summed over every report counted.
     *
     * @param undetailed reports counted in the day whose details were not kept (beyond {@link #MAX_DETAILED})
     */
    public record Day(String domain, LocalDate date, long successful, long failed, Map<String, Long> failures,
            Set<String> reporters, long otherReporters, long undetailed) {
    }

    /**
     * One domain's days from {@code from} to {@code to} (both included), oldest first: one query of the domain's
     * partition, whatever else the table holds. Unreadable items are left out.
     */
    public List<Day> days(String domain, LocalDate from, LocalDate to) {
        List<Day> days = new ArrayList<>();
        query(domain, "day#" + from, "day#" + to, true, item -> {
            Day d = day(item);
            if (d != null) {
                days.add(d);
            }
        });
        return days;
    }

    /**
     * Items of a domain's partition whose sort key lies between two keys (both included), page by page, so a reader
     * holds one page (at most 1 MB) at a time.
     */
    void query(String domain, String fromKey, String toKey, boolean consistent,
            java.util.function.Consumer<Map<String, AttributeValue>> each) {
        DomainStore.call(() -> {
            client.queryPaginator(q -> q.tableName(table).consistentRead(consistent)
                    .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("domain#" + domain),
                            ":from", AttributeValue.fromS(fromKey), ":to", AttributeValue.fromS(toKey))))
                    .items().forEach(each);
            return null;
        });
    }

    /** The domains that have reports (within their items' time to live), from the index, in name order. */
    public List<String> reportedDomains() {
        List<String> out = new ArrayList<>();
        DomainStore.call(() -> {
            client.queryPaginator(q -> q.tableName(table).keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(INDEX))))
                    .items().forEach(i -> {
                        AttributeValue sk = i.get("sk");
                        if (sk != null && sk.s() != null) {
                            out.add(sk.s());
                        }
                    });
            return null;
        });
        return out;
    }

    /** A day item as written here, or by an older version; null when its key is not one. */
    static Day day(Map<String, AttributeValue> i) {
        String pk = i.get("pk") == null ? null : i.get("pk").s();
        String sk = i.get("sk") == null ? null : i.get("sk").s();
        if (pk == null || sk == null || !pk.startsWith("domain#") || !sk.startsWith("day#")) {
            return null;
        }
        LocalDate date;
        try {
            date = LocalDate.parse(sk.substring("day#".length()));
        } catch (DateTimeParseException e) {
            return null;
        }
        Map<String, Long> failures = new TreeMap<>();
        i.forEach((k, v) -> {
            if (k.startsWith(FAILURE_PREFIX)) {
                failures.put(k.substring(FAILURE_PREFIX.length()), number(v));
            }
        });
        AttributeValue reporters = i.get("reporters");
        // summaries written before details were bounded count no reports: none undetailed
        long undetailed = i.containsKey("reports")
                ? Math.max(0, number(i.get("reports")) - number(i.get("detailed")) - number(i.get("detailed_mail"))) : 0;
        return new Day(pk.substring("domain#".length()), date, number(i.get("successful")), number(i.get("failed")),
                failures, reporters != null && reporters.hasSs() ? new TreeSet<>(reporters.ss()) : Set.of(),
                number(i.get("other_reporters")), undetailed);
    }

    /** Creates the table as template.yaml does (with its stream of new items); no-op if it exists. */
    public void createTable() {
        try {
            DomainStore.call(() -> client.createTable(r -> r.tableName(table)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .streamSpecification(StreamSpecification.builder()
                            .streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE).build())));
        } catch (ResourceInUseException e) {
            // already there
        }
    }

    /**
     * A stored number as a count: DynamoDB keeps 38 digits, so a sum may exceed a long; it reads as
     * {@link Long#MAX_VALUE} then. Anything that is not a number reads as 0.
     */
    static long number(AttributeValue v) {
        return v == null || v.n() == null ? 0 : plain(v.n());
    }

    private static long plain(Object o) {
        try {
            BigDecimal d = o instanceof BigDecimal b ? b : o instanceof String s ? new BigDecimal(s) : null;
            if (d == null) {
                return 0;
            }
            return d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0 ? Long.MAX_VALUE
                    : d.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0 ? Long.MIN_VALUE : d.longValue();
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String cut(String s) {
        return cut(s, MAX_TEXT);
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
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
