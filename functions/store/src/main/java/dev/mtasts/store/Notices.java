package dev.mtasts.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The bookkeeping behind each stored report's metrics and alert, in the reports table. The table's stream hands a
 * new report over at least once; {@link #claim} lets exactly one hand-over send its metrics, and holds its failures
 * for its domains' next alert. An alert goes out at most once an hour per domain and takes everything held since
 * the last one, so a burst of forged failure reports costs one message, which says how many reports it covers.
 *
 * <p>Items: the report's own item gets {@code noticed} (when it was claimed); each domain with failures held has
 * {@code pk = alert#<domain>}, {@code sk = alert}: {@code held_reports}, {@code held_failed}, {@code last_sent}
 * (epoch seconds of the last alert) and {@code expires}.
 */
public final class Notices {
    /** The least time between two alerts for one domain. */
    public static final Duration ALERT_INTERVAL = Duration.ofHours(1);
    private static final Duration KEEP = Duration.ofDays(30);
    private static final int ATTEMPTS = 8;

    private final DynamoDbClient client;
    private final String table;

    public Notices(ReportStore reports) {
        this.client = reports.client();
        this.table = reports.table();
    }

    /**
     * Marks a stored report as noticed and, in the same transaction, holds its failed sessions for the alert of
     * each domain it counts failures for.
     *
     * @return false when the report was claimed before (or is gone): its metrics and alert are someone else's
     */
    public boolean claim(ReportStore.Counted report, Instant now) {
        List<TransactWriteItem> actions = new ArrayList<>();
        actions.add(TransactWriteItem.builder().update(u -> u.tableName(table)
                .key(Map.of("pk", AttributeValue.fromS(report.key()), "sk", AttributeValue.fromS("report")))
                .updateExpression("SET noticed = :now")
                .conditionExpression("attribute_exists(pk) AND attribute_not_exists(noticed)")
                .expressionAttributeValues(Map.of(":now", AttributeValue.fromS(now.toString())))).build());
        report.domains().forEach((domain, c) -> {
            if (c.failed() > 0) {
                actions.add(TransactWriteItem.builder().update(u -> u.tableName(table).key(alertKey(domain))
                        .updateExpression("ADD held_reports :one, held_failed :f SET expires = :e")
                        .expressionAttributeValues(Map.of(":one", n(1), ":f", n(c.failed()),
                                ":e", n(now.plus(KEEP).getEpochSecond())))).build());
            }
        });
        for (int attempt = 1; ; attempt++) {
            try {
                DomainStore.call(() -> client.transactWriteItems(r -> r.transactItems(actions)));
                return true;
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.cancellationReasons();
                if (!reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.get(0).code())) {
                    return false;
                }
                if (attempt == ATTEMPTS || reasons.stream().noneMatch(r -> "TransactionConflict".equals(r.code()))) {
                    throw new StoreUnavailableException("notice transaction cancelled: " + reasons, e);
                }
                try {
                    Thread.sleep((long) (Math.random() * 20 * (1L << Math.min(attempt, 6))));
                } catch (InterruptedException i) {
                    Thread.currentThread().interrupt();
                    throw new StoreUnavailableException("interrupted", i);
                }
            }
        }
    }

    /** Failure reports held for a domain's next alert, and when the last one went out (null: never). */
    public record Held(long reports, long failed, Instant lastSent) {
    }

    public Held held(String domain) {
        Map<String, AttributeValue> item = DomainStore.call(() -> client.getItem(g -> g.tableName(table)
                .consistentRead(true).key(alertKey(domain)))).item();
        if (item == null || item.isEmpty()) {
            return new Held(0, 0, null);
        }
        AttributeValue last = item.get("last_sent");
        return new Held(ReportStore.number(item.get("held_reports")), ReportStore.number(item.get("held_failed")),
                last == null || last.n() == null ? null : Instant.ofEpochSecond(ReportStore.number(last)));
    }

    /**
     * Takes what is held for an alert to send now, if one is due: nothing is held, the last alert is less than
     * {@link #ALERT_INTERVAL} old, or a concurrent sender took it first all give empty.
     */
    public Optional<Held> take(String domain, Instant now) {
        Held held = held(domain);
        if (held.reports() <= 0
                || held.lastSent() != null && held.lastSent().plus(ALERT_INTERVAL).isAfter(now)) {
            return Optional.empty();
        }
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":now", n(now.getEpochSecond()),
                ":r", n(-held.reports()), ":f", n(-held.failed())));
        String condition = "attribute_not_exists(last_sent)";
        if (held.lastSent() != null) {
            values.put(":prev", n(held.lastSent().getEpochSecond()));
            condition = "last_sent = :prev";
        }
        String expected = condition;
        try {
            DomainStore.call(() -> client.updateItem(u -> u.tableName(table).key(alertKey(domain))
                    .updateExpression("SET last_sent = :now ADD held_reports :r, held_failed :f")
                    .conditionExpression(expected)
                    .expressionAttributeValues(values)));
            return Optional.of(held);
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    /** Gives back what {@link #take} took when the alert could not be sent, so the next try sends it. */
    public void putBack(String domain, Held taken, Instant takenAt) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":r", n(taken.reports()), ":f", n(taken.failed()),
                ":at", n(takenAt.getEpochSecond())));
        String restore = taken.lastSent() == null ? " REMOVE last_sent" : " SET last_sent = :prev";
        if (taken.lastSent() != null) {
            values.put(":prev", n(taken.lastSent().getEpochSecond()));
        }
        try {
            DomainStore.call(() -> client.updateItem(u -> u.tableName(table).key(alertKey(domain))
                    .updateExpression("ADD held_reports :r, held_failed :f" + restore)
                    .conditionExpression("last_sent = :at")
                    .expressionAttributeValues(values)));
        } catch (ConditionalCheckFailedException e) {
            // another alert went out meanwhile: the counts still come back, for the one after it
            values.remove(":prev");
            values.remove(":at");
            DomainStore.call(() -> client.updateItem(u -> u.tableName(table).key(alertKey(domain))
                    .updateExpression("ADD held_reports :r, held_failed :f")
                    .expressionAttributeValues(values)));
        }
    }

    private static Map<String, AttributeValue> alertKey(String domain) {
        return Map.of("pk", AttributeValue.fromS("alert#" + domain), "sk", AttributeValue.fromS("alert"));
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }
}
