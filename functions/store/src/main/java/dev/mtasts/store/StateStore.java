package dev.mtasts.store;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Lifecycle;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The stack's own table: for each domain, what the stack has made, written and announced ({@code lifecycle}, with the
 * lease of the run that advances it) and what the daily check found ({@code check}). Only the stack writes it, so a
 * user rewriting or deleting a row never makes it forget what it is responsible for: the row is the wish, this is
 * the state. Partition key {@code domain} (S), as in the domains table. Reads are strongly consistent.
 */
public final class StateStore {
    /** Environment variable naming the table, set by template.yaml. */
    public static final String TABLE_ENV = "STATE_TABLE";
    /** The table name of a stack deployed with the default stack name. */
    public static final String DEFAULT_TABLE = "mta-sts-state";
    /** What the daily check of the domain found (a map), written by the stack. */
    public static final String CHECK = "check";
    /**
     * When the stack finished removing the domain: all its item holds then, so that {@code domain get} can say the
     * domain was removed, not that it never was. A domain added again starts afresh over it.
     */
    public static final String REMOVED = "removed";
    /** Written only where the item is absent or holds no lifecycle (a domain removed before). */
    private static final String NO_STATE = "attribute_not_exists(#d) OR attribute_not_exists(#lc)";

    private final DynamoDbClient client;
    private final String table;

    public StateStore(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    /** The state table template.yaml makes beside a domains table: {@code <stack>-domains} has {@code <stack>-state}. */
    public static String beside(String domainsTable) {
        return domainsTable.endsWith("-domains")
                ? domainsTable.substring(0, domainsTable.length() - "-domains".length()) + "-state"
                : domainsTable + "-state";
    }

    public String table() {
        return table;
    }

    /** The domain's state item as plain values, or empty when the stack has no state for it. */
    public Optional<Map<String, Object>> item(String key) {
        Map<String, AttributeValue> item = DomainStore.call(() -> client.getItem(r -> r.tableName(table)
                .key(key(key)).consistentRead(true))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(Items.toPlain(item));
    }

    /** The domain's lifecycle, or empty when the stack has none (it has not looked at the domain, or removed it). */
    public Optional<Lifecycle> find(DomainName domain) {
        return item(domain.value()).map(Lifecycle::of);
    }

    /** When the stack removed the domain, if that is all it knows of it: empty while it has state for it, or none. */
    public Optional<Instant> removedAt(String key) {
        return item(key).filter(StateStore::removal).map(i -> Instant.parse((String) i.get(REMOVED)));
    }

    /** Whether a state item only says when the domain was removed. */
    static boolean removal(Map<String, Object> item) {
        return item.get(REMOVED) instanceof String && !item.containsKey(Lifecycle.ATTRIBUTE);
    }

    /** Every state item, by domain (removals included: see {@link #REMOVED}). */
    public Map<String, Map<String, Object>> all() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        DomainStore.call(() -> {
            client.scanPaginator(r -> r.tableName(table).consistentRead(true)).items().forEach(i -> {
                Map<String, Object> plain = Items.toPlain(i);
                out.put(String.valueOf(plain.get(DomainRow.DOMAIN)), plain);
            });
            return null;
        });
        return out;
    }

    /**
     * Takes over the lifecycle a row of an earlier version carried (attribute {@code lifecycle} on the row), and the
     * outcome of its daily check: written only when the stack has no state for the domain yet. False when it has.
     */
    public boolean adopt(DomainName domain, Lifecycle lifecycle, Object check) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put(DomainRow.DOMAIN, domain.value());
        item.put(Lifecycle.ATTRIBUTE, lifecycle.withLease(null).toPlain());
        if (check instanceof Map<?, ?>) {
            item.put(CHECK, check);
        }
        try {
            DomainStore.call(() -> client.putItem(r -> r.tableName(table).item(Items.toItem(item))
                    .conditionExpression(NO_STATE)
                    .expressionAttributeNames(Map.of("#d", DomainRow.DOMAIN, "#lc", Lifecycle.ATTRIBUTE))));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    /**
     * Takes the lease on a domain's lifecycle, so that only one invocation advances it: granted when there is no
     * lease, it has expired, or it is already this owner's. A domain without state (or removed before) gets
     * {@code fresh}, lease included. Empty when another owner holds it; else the lifecycle as it is now, with this lease.
     */
    public Optional<Lifecycle> acquire(DomainName domain, Lifecycle fresh, Lifecycle.Lease lease, Instant now) {
        try {
            DomainStore.call(() -> client.putItem(r -> r.tableName(table)
                    .item(Map.of(DomainRow.DOMAIN, AttributeValue.fromS(domain.value()),
                            Lifecycle.ATTRIBUTE, Items.toAttribute(fresh.withLease(lease).toPlain())))
                    .conditionExpression(NO_STATE)
                    .expressionAttributeNames(Map.of("#d", DomainRow.DOMAIN, "#lc", Lifecycle.ATTRIBUTE))));
            return Optional.of(fresh.withLease(lease));
        } catch (ConditionalCheckFailedException notNew) {
            // it has one: take the lease if it is free
        }
        try {
            Map<String, AttributeValue> item = DomainStore.call(() -> client.updateItem(r -> r.tableName(table)
                    .key(key(domain.value()))
                    .updateExpression("SET #lc.#lease = :lease")
                    .conditionExpression("attribute_exists(#lc.#step) AND (attribute_not_exists(#lc.#lease) "
                            + "OR #lc.#lease.#until < :now OR #lc.#lease.#owner = :owner)")
                    .expressionAttributeNames(Map.of("#lc", Lifecycle.ATTRIBUTE, "#step", "step", "#lease", "lease",
                            "#until", "until", "#owner", "owner"))
                    .expressionAttributeValues(Map.of(":lease", Items.toAttribute(Lifecycle.leasePlain(lease)),
                            ":now", AttributeValue.fromN(Long.toString(now.toEpochMilli())),
                            ":owner", AttributeValue.fromS(lease.owner())))
                    .returnValues(ReturnValue.ALL_NEW))).attributes();
            return Optional.ofNullable(Lifecycle.of(Items.toPlain(item)));
        } catch (ConditionalCheckFailedException taken) {
            return Optional.empty();
        }
    }

    /**
     * Writes a domain's lifecycle while this owner holds its lease (the lease travels in {@code lifecycle}). False
     * when the lease was lost: another owner took it over after it expired.
     */
    public boolean save(DomainName domain, Lifecycle lifecycle, String owner) {
        try {
            DomainStore.call(() -> client.updateItem(r -> r.tableName(table).key(key(domain.value()))
                    .updateExpression("SET #lc = :lc")
                    .conditionExpression("#lc.#lease.#owner = :owner")
                    .expressionAttributeNames(Map.of("#lc", Lifecycle.ATTRIBUTE, "#lease", "lease", "#owner", "owner"))
                    .expressionAttributeValues(Map.of(":lc", Items.toAttribute(lifecycle.toPlain()),
                            ":owner", AttributeValue.fromS(owner)))));
            return true;
        } catch (ConditionalCheckFailedException lost) {
            return false;
        }
    }

    /**
     * Writes a domain's lifecycle whoever holds its lease, keeping what the daily check found: only for the local
     * stack as it starts on tables kept from an earlier run, whose runs ended with that process, leases and all.
     */
    public void restart(String key, Lifecycle lifecycle) {
        try {
            DomainStore.call(() -> client.updateItem(r -> r.tableName(table).key(key(key))
                    .updateExpression("SET #lc = :lc")
                    .conditionExpression("attribute_exists(#lc)")
                    .expressionAttributeNames(Map.of("#lc", Lifecycle.ATTRIBUTE))
                    .expressionAttributeValues(Map.of(":lc", Items.toAttribute(lifecycle.toPlain())))));
        } catch (ConditionalCheckFailedException gone) {
            // no state, or only the time of a removal: nothing to restart
        }
    }

    /** Gives the lease back, so the next trigger need not wait for it to expire. */
    public void release(DomainName domain, String owner) {
        try {
            DomainStore.call(() -> client.updateItem(r -> r.tableName(table).key(key(domain.value()))
                    .updateExpression("REMOVE #lc.#lease")
                    .conditionExpression("#lc.#lease.#owner = :owner")
                    .expressionAttributeNames(Map.of("#lc", Lifecycle.ATTRIBUTE, "#lease", "lease", "#owner", "owner"))
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner)))));
        } catch (ConditionalCheckFailedException lost) {
            // not ours any more
        }
    }

    /**
     * The end of a removal, while this owner holds the domain's lease: its state goes, and only when it was removed
     * is kept ({@link #REMOVED}).
     */
    public boolean removed(DomainName domain, String owner, Instant at) {
        try {
            DomainStore.call(() -> client.putItem(r -> r.tableName(table)
                    .item(Map.of(DomainRow.DOMAIN, AttributeValue.fromS(domain.value()),
                            REMOVED, AttributeValue.fromS(at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())))
                    .conditionExpression("#lc.#lease.#owner = :owner")
                    .expressionAttributeNames(Map.of("#lc", Lifecycle.ATTRIBUTE, "#lease", "lease", "#owner", "owner"))
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner)))));
            return true;
        } catch (ConditionalCheckFailedException lost) {
            return false;
        }
    }

    /** Deletes a domain's state whatever it holds: for domains the stack made nothing for (the local stack's). */
    public void deleteKey(String key) {
        DomainStore.call(() -> client.deleteItem(r -> r.tableName(table).key(key(key))));
    }

    /** Marks a domain the local stack serves without an AWS emulator, unless the stack has state for it already. */
    public void markLocal(String key, Lifecycle local) {
        try {
            DomainStore.call(() -> client.putItem(r -> r.tableName(table)
                    .item(Map.of(DomainRow.DOMAIN, AttributeValue.fromS(key),
                            Lifecycle.ATTRIBUTE, Items.toAttribute(local.toPlain())))
                    .conditionExpression(NO_STATE)
                    .expressionAttributeNames(Map.of("#d", DomainRow.DOMAIN, "#lc", Lifecycle.ATTRIBUTE))));
        } catch (ConditionalCheckFailedException already) {
            // it has state
        }
    }

    /** Writes the outcome of the daily check of a domain the stack still has state for. */
    public void recordCheck(DomainName domain, Map<String, Object> outcome) {
        try {
            DomainStore.call(() -> client.updateItem(r -> r.tableName(table).key(key(domain.value()))
                    .updateExpression("SET #c = :c")
                    .conditionExpression("attribute_exists(#d)")
                    .expressionAttributeNames(Map.of("#c", CHECK, "#d", DomainRow.DOMAIN))
                    .expressionAttributeValues(Map.of(":c", Items.toAttribute(outcome)))));
        } catch (ConditionalCheckFailedException gone) {
            // removed meanwhile
        }
    }

    /** Creates the table as template.yaml does (on-demand); no-op if it exists. */
    public void createTable() {
        try {
            DomainStore.call(() -> client.createTable(r -> r.tableName(table)
                    .attributeDefinitions(AttributeDefinition.builder()
                            .attributeName(DomainRow.DOMAIN).attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName(DomainRow.DOMAIN).keyType(KeyType.HASH).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST)));
        } catch (ResourceInUseException e) {
            // already there
        }
    }

    /** The key of a state item: the domain, as the row's. */
    static Map<String, AttributeValue> key(String domain) {
        return Map.of(DomainRow.DOMAIN, AttributeValue.fromS(domain));
    }
}
