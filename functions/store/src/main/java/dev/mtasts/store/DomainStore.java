package dev.mtasts.store;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.MxPattern;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The domains table: partition key {@code domain} (S); {@code mode} (S), {@code mx} (L of S), {@code max_age} (N).
 * Other attributes are left alone. Reads are strongly consistent, so a row written is the row served.
 */
public final class DomainStore {
    /** Environment variable naming the table, set by template.yaml. */
    public static final String TABLE_ENV = "DOMAINS_TABLE";
    /** The table name of a stack deployed with the default stack name. */
    public static final String DEFAULT_TABLE = "mta-sts-domains";

    private final DynamoDbClient client;
    private final String table;

    public DomainStore(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    public String table() {
        return table;
    }

    /** The item stored for a domain, as plain values, valid or not. */
    public Optional<Map<String, Object>> find(DomainName domain) {
        Map<String, AttributeValue> item = call(() -> client.getItem(r -> r.tableName(table)
                .key(key(domain))
                .consistentRead(true))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(Items.toPlain(item));
    }

    /** An item by its exact key, normalised or not (rows written by hand may not be). */
    public Optional<Map<String, Object>> findKey(String key) {
        Map<String, AttributeValue> item = call(() -> client.getItem(r -> r.tableName(table)
                .key(Map.of(DomainRow.DOMAIN, AttributeValue.fromS(key))).consistentRead(true))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(Items.toPlain(item));
    }

    /** Deletes an item by its exact key; false when there was none. */
    public boolean deleteKey(String key) {
        Map<String, AttributeValue> old = call(() -> client.deleteItem(r -> r.tableName(table)
                .key(Map.of(DomainRow.DOMAIN, AttributeValue.fromS(key))).returnValues(ReturnValue.ALL_OLD))).attributes();
        return old != null && !old.isEmpty();
    }

    /** Marks a row the local stack serves without an AWS emulator, unless the stack has looked at it already. */
    public void markLocal(String key, Lifecycle local) {
        try {
            call(() -> client.updateItem(r -> r.tableName(table).key(Map.of(DomainRow.DOMAIN, AttributeValue.fromS(key)))
                    .updateExpression("SET #lc = :lc")
                    .conditionExpression("attribute_exists(#d) AND attribute_not_exists(#lc)")
                    .expressionAttributeNames(Map.of("#d", DomainRow.DOMAIN, "#lc", Lifecycle.ATTRIBUTE))
                    .expressionAttributeValues(Map.of(":lc", Items.toAttribute(local.toPlain())))));
        } catch (ConditionalCheckFailedException already) {
            // it has a lifecycle, or it is gone
        }
    }

    /** Writes the policy attributes of a valid row; other attributes of an existing item are kept. */
    public void put(DomainRow row) {
        call(() -> client.updateItem(r -> r.tableName(table)
                .key(key(row.domain()))
                .updateExpression("SET #mode = :mode, #mx = :mx, #max_age = :max_age")
                .expressionAttributeNames(Map.of(
                        "#mode", DomainRow.MODE, "#mx", DomainRow.MX, "#max_age", DomainRow.MAX_AGE))
                .expressionAttributeValues(policyValues(row))));
    }

    /** Adds a row that holds only its domain, for the lifecycle to seed; false when there is a row already. */
    public boolean add(DomainName domain) {
        try {
            call(() -> client.putItem(r -> r.tableName(table).item(key(domain))
                    .conditionExpression("attribute_not_exists(#d)")
                    .expressionAttributeNames(Map.of("#d", DomainRow.DOMAIN))));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    private static Map<String, AttributeValue> policyValues(DomainRow row) {
        List<AttributeValue> mx = new ArrayList<>();
        for (MxPattern p : row.policy().mx()) {
            mx.add(AttributeValue.fromS(p.value()));
        }
        return Map.of(":mode", AttributeValue.fromS(row.policy().mode().text()),
                ":mx", AttributeValue.fromL(mx),
                ":max_age", AttributeValue.fromN(Long.toString(row.policy().maxAge())));
    }

    /**
     * Takes the lease on a domain's lifecycle, so that only one invocation advances it: granted when there is no
     * lease, it has expired, or it is already this owner's. False when the row is gone or another owner holds it.
     */
    public boolean acquire(DomainName domain, Lifecycle fresh, Lifecycle.Lease lease, Instant now) {
        Map<String, AttributeValue> lease0 = Items.toItem(leasePlain(lease));
        try {
            // a row the stack has not looked at yet gets its whole lifecycle, lease included
            call(() -> client.updateItem(r -> r.tableName(table).key(key(domain))
                    .updateExpression("SET #lc = :lc")
                    .conditionExpression("attribute_exists(#d) AND attribute_not_exists(#lc)")
                    .expressionAttributeNames(Map.of("#d", DomainRow.DOMAIN, "#lc", Lifecycle.ATTRIBUTE))
                    .expressionAttributeValues(Map.of(":lc", Items.toAttribute(fresh.withLease(lease).toPlain())))));
            return true;
        } catch (ConditionalCheckFailedException notNew) {
            // it has one (or the row is gone): take the lease if it is free
        }
        try {
            call(() -> client.updateItem(r -> r.tableName(table).key(key(domain))
                    .updateExpression("SET #lc.#lease = :lease")
                    .conditionExpression("attribute_exists(#lc.#step) AND (attribute_not_exists(#lc.#lease) "
                            + "OR #lc.#lease.#until < :now OR #lc.#lease.#owner = :owner)")
                    .expressionAttributeNames(Map.of("#lc", Lifecycle.ATTRIBUTE, "#step", "step", "#lease", "lease",
                            "#until", "until", "#owner", "owner"))
                    .expressionAttributeValues(Map.of(":lease", AttributeValue.fromM(lease0),
                            ":now", AttributeValue.fromN(Long.toString(now.toEpochMilli())),
                            ":owner", AttributeValue.fromS(lease.owner())))));
            return true;
        } catch (ConditionalCheckFailedException taken) {
            return false;
        }
    }

    /**
     * Writes a domain's lifecycle while this owner holds its lease (the lease travels in {@code lifecycle}), and
     * returns the row as it is now. Empty when the lease was lost: another owner took it over after it expired, or
     * the row was replaced or deleted.
     */
    public Optional<Map<String, Object>> saveLifecycle(DomainName domain, Lifecycle lifecycle, String owner) {
        try {
            Map<String, AttributeValue> item = call(() -> client.updateItem(r -> r.tableName(table).key(key(domain))
                    .updateExpression("SET #lc = :lc")
                    .conditionExpression("#lc.#lease.#owner = :owner")
                    .expressionAttributeNames(Map.of("#lc", Lifecycle.ATTRIBUTE, "#lease", "lease", "#owner", "owner"))
                    .expressionAttributeValues(Map.of(":lc", Items.toAttribute(lifecycle.toPlain()),
                            ":owner", AttributeValue.fromS(owner)))
                    .returnValues(ReturnValue.ALL_NEW))).attributes();
            return Optional.of(Items.toPlain(item));
        } catch (ConditionalCheckFailedException lost) {
            return Optional.empty();
        }
    }

    /** Writes the outcome of the daily check on a row that still exists (attribute {@code check}). */
    public void recordCheck(DomainName domain, Map<String, Object> outcome) {
        try {
            call(() -> client.updateItem(r -> r.tableName(table).key(key(domain))
                    .updateExpression("SET #c = :c")
                    .conditionExpression("attribute_exists(#d)")
                    .expressionAttributeNames(Map.of("#c", DomainRow.CHECK, "#d", DomainRow.DOMAIN))
                    .expressionAttributeValues(Map.of(":c", Items.toAttribute(outcome)))));
        } catch (ConditionalCheckFailedException gone) {
            // the row was removed meanwhile
        }
    }

    /** Gives the lease back, so the next trigger need not wait for it to expire. */
    public void release(DomainName domain, String owner) {
        try {
            call(() -> client.updateItem(r -> r.tableName(table).key(key(domain))
                    .updateExpression("REMOVE #lc.#lease")
                    .conditionExpression("#lc.#lease.#owner = :owner")
                    .expressionAttributeNames(Map.of("#lc", Lifecycle.ATTRIBUTE, "#lease", "lease", "#owner", "owner"))
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner)))));
        } catch (ConditionalCheckFailedException lost) {
            // not ours any more
        }
    }

    /** Writes a seed policy for a row that has none; false when the row has gained one (or is gone) meanwhile. */
    public boolean seed(DomainRow row) {
        try {
            call(() -> client.updateItem(r -> r.tableName(table).key(key(row.domain()))
                    .updateExpression("SET #mode = :mode, #mx = :mx, #max_age = :max_age")
                    .conditionExpression("attribute_exists(#d) AND attribute_not_exists(#mode) "
                            + "AND attribute_not_exists(#mx) AND attribute_not_exists(#max_age)")
                    .expressionAttributeNames(Map.of("#d", DomainRow.DOMAIN, "#mode", DomainRow.MODE,
                            "#mx", DomainRow.MX, "#max_age", DomainRow.MAX_AGE))
                    .expressionAttributeValues(policyValues(row))));
            return true;
        } catch (ConditionalCheckFailedException notEmpty) {
            return false;
        }
    }

    /** Sets or clears a user's wish on a row ({@code take_over}, {@code remove_requested}); false when there is no row. */
    public boolean setWish(DomainName domain, String attribute, Object value) {
        try {
            if (value == null) {
                call(() -> client.updateItem(r -> r.tableName(table).key(key(domain))
                        .updateExpression("REMOVE #a").conditionExpression("attribute_exists(#d)")
                        .expressionAttributeNames(Map.of("#a", attribute, "#d", DomainRow.DOMAIN))));
            } else {
                call(() -> client.updateItem(r -> r.tableName(table).key(key(domain))
                        .updateExpression("SET #a = :v").conditionExpression("attribute_exists(#d)")
                        .expressionAttributeNames(Map.of("#a", attribute, "#d", DomainRow.DOMAIN))
                        .expressionAttributeValues(Map.of(":v", Items.toAttribute(value)))));
            }
            return true;
        } catch (ConditionalCheckFailedException noRow) {
            return false;
        }
    }

    /** The last step of a removal: deletes the row if its removal is still requested. */
    public boolean deleteRemoved(DomainName domain) {
        try {
            call(() -> client.deleteItem(r -> r.tableName(table).key(key(domain))
                    .conditionExpression("attribute_exists(#r)")
                    .expressionAttributeNames(Map.of("#r", DomainRow.REMOVE_REQUESTED))));
            return true;
        } catch (ConditionalCheckFailedException withdrawn) {
            return false;
        }
    }

    private static Map<String, Object> leasePlain(Lifecycle.Lease lease) {
        return lease == null ? Map.of() : Lifecycle.leasePlain(lease);
    }

    /** Notes when a retired policy (mode none) may be deleted: once every cached older policy has expired. */
    public void markRetiring(DomainName domain, java.time.Instant safeToDeleteAfter) {
        call(() -> client.updateItem(r -> r.tableName(table).key(key(domain))
                .updateExpression("SET retire_after = :t")
                .expressionAttributeValues(Map.of(":t", AttributeValue.fromS(safeToDeleteAfter.toString())))));
    }

    /** Writes an item exactly as given, valid or not: for seeding the local stack from a file. */
    public void putItem(Map<String, ?> item) {
        call(() -> client.putItem(r -> r.tableName(table).item(Items.toItem(item))));
    }

    /** Deletes a domain's row; false when there was none. */
    public boolean delete(DomainName domain) {
        Map<String, AttributeValue> old = call(() -> client.deleteItem(r -> r.tableName(table)
                .key(key(domain))
                .returnValues(ReturnValue.ALL_OLD))).attributes();
        return old != null && !old.isEmpty();
    }

    /** Every item, as plain values, sorted by domain. */
    public List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            ScanRequest.Builder req = ScanRequest.builder().tableName(table).consistentRead(true);
            if (start != null) {
                req.exclusiveStartKey(start);
            }
            ScanResponse page = call(() -> client.scan(req.build()));
            page.items().forEach(i -> out.add(Items.toPlain(i)));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        out.sort((a, b) -> String.valueOf(a.get(DomainRow.DOMAIN)).compareTo(String.valueOf(b.get(DomainRow.DOMAIN))));
        return out;
    }

    /** Creates the table as template.yaml does (on-demand, stream of new and old images); no-op if it exists. */
    public void createTable() {
        try {
            call(() -> client.createTable(r -> r.tableName(table)
                    .attributeDefinitions(AttributeDefinition.builder()
                            .attributeName(DomainRow.DOMAIN).attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName(DomainRow.DOMAIN).keyType(KeyType.HASH).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .streamSpecification(StreamSpecification.builder()
                            .streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES).build())));
        } catch (ResourceInUseException e) {
            // already there
        }
    }

    private static Map<String, AttributeValue> key(DomainName domain) {
        return Map.of(DomainRow.DOMAIN, AttributeValue.fromS(domain.value()));
    }

    /** Separates passing failures (network, throttling, 5xx) from everything else, which is a bug or misconfiguration. */
    static <T> T call(Supplier<T> request) {
        try {
            return request.get();
        } catch (ResourceInUseException | ConditionalCheckFailedException e) {
            throw e;
        } catch (SdkClientException e) {
            if (isTransient(e)) {
                throw new StoreUnavailableException("DynamoDB unreachable: " + why(e), e);
            }
            throw e; // credentials, region, configuration: a bug to fix, not an outage to wait out
        } catch (DynamoDbException e) {
            if (e.isThrottlingException() || e.statusCode() >= 500) {
                throw new StoreUnavailableException("DynamoDB unavailable: " + (e.isThrottlingException()
                        ? "throttled" : "HTTP " + e.statusCode()), e);
            }
            throw e;
        }
    }

    /** The network failure in our words: the SDK's message carries attempt counts and class names. */
    static String why(SdkClientException e) {
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return "no answer in time";
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return "connection refused";
            }
            if (t instanceof java.net.UnknownHostException) {
                return "unknown host " + t.getMessage();
            }
            if (t instanceof java.net.SocketTimeoutException) {
                return "no answer in time";
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return "TLS failed";
            }
        }
        return "connection failed";
    }

    /** Timeouts and network failures pass; everything else a client can throw does not. */
    static boolean isTransient(SdkClientException e) {
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return true;
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }
}
