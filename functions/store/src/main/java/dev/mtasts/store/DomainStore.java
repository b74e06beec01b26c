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
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The domains table: partition key {@code domain} (S); {@code mode} (S), {@code mx} (L of S), {@code max_age} (N).
 * Other attributes are left alone. Reads are strongly consistent, so a row written is the row served.
 *
 * <p>A store that knows the stack's state table ({@link #withState}) also reads each domain as both tables hold it
 * ({@link #view}, {@link #views}), and {@link #list} gives each row with the stack's state in it.
 */
public final class DomainStore {
    /** Environment variable naming the table, set by template.yaml. */
    public static final String TABLE_ENV = "DOMAINS_TABLE";
    /** The table name of a stack deployed with the default stack name. */
    public static final String DEFAULT_TABLE = "mta-sts-domains";

    private final DynamoDbClient client;
    private final String table;
    private final StateStore state;

    public DomainStore(DynamoDbClient client, String table) {
        this(client, table, null);
    }

    private DomainStore(DynamoDbClient client, String table, StateStore state) {
        this.client = client;
        this.table = table;
        this.state = state;
    }

    /** This table with the stack's state table beside it. */
    public DomainStore withState(String stateTable) {
        return new DomainStore(client, table, new StateStore(client, stateTable));
    }

    public String table() {
        return table;
    }

    /** The stack's state table, or null for a store of the rows alone. */
    public StateStore state() {
        return state;
    }

    /**
     * A domain as both tables hold it, read in one request (a BatchGetItem, strongly consistent in both tables);
     * empty when neither has it. A store without a state table, or whose state table does not exist (a stack not
     * upgraded yet), reads the row alone.
     */
    public Optional<DomainView> view(String key) {
        if (state == null) {
            return findKey(key).map(row -> new DomainView(key, row, null));
        }
        Map<String, AttributeValue> k = Map.of(DomainRow.DOMAIN, AttributeValue.fromS(key));
        BatchGetItemResponse answer;
        try {
            answer = call(() -> client.batchGetItem(r -> r.requestItems(Map.of(
                    table, KeysAndAttributes.builder().keys(k).consistentRead(true).build(),
                    state.table(), KeysAndAttributes.builder().keys(k).consistentRead(true).build()))));
        } catch (ResourceNotFoundException missing) {
            return findKey(key).map(row -> new DomainView(key, row, null)); // throws the same if the rows' table is missing
        }
        if (answer.hasUnprocessedKeys() && !answer.unprocessedKeys().isEmpty()) {
            // only throttling leaves two small items unread: a read to try again later, as a throttled GetItem is
            throw new StoreUnavailableException("DynamoDB unavailable: throttled", null);
        }
        Map<String, Object> row = only(answer, table);
        Map<String, Object> stateItem = only(answer, state.table());
        if (stateItem != null && StateStore.removal(stateItem)) {
            stateItem = null; // removed before: nothing of the stack's stands for the domain now
        }
        return row == null && stateItem == null ? Optional.empty() : Optional.of(new DomainView(key, row, stateItem));
    }

    private static Map<String, Object> only(BatchGetItemResponse answer, String table) {
        List<Map<String, AttributeValue>> items = answer.hasResponses() ? answer.responses().get(table) : null;
        return items == null || items.isEmpty() ? null : Items.toPlain(items.get(0));
    }

    /** Every domain as both tables hold it, sorted by domain: rows, and domains whose row is gone but state is not. */
    public List<DomainView> views() {
        Map<String, Map<String, Object>> states;
        try {
            states = state == null ? new java.util.HashMap<>() : state.all();
        } catch (ResourceNotFoundException missing) {
            states = new java.util.HashMap<>(); // a stack not upgraded yet: its rows carry their state themselves
        }
        java.util.TreeMap<String, DomainView> out = new java.util.TreeMap<>();
        states.values().removeIf(StateStore::removal); // removed before: nothing of the stack's stands for them now
        for (Map<String, Object> row : rows()) {
            String key = String.valueOf(row.get(DomainRow.DOMAIN));
            out.put(key, new DomainView(key, row, states.get(key)));
        }
        states.forEach((key, s) -> out.putIfAbsent(key, new DomainView(key, null, s)));
        return new ArrayList<>(out.values());
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
        return add(domain, Map.of());
    }

    /**
     * The same with wishes written in the same request ({@code dns: delegated}), so that the lifecycle, which may
     * start on the row's first image, never sees the row without them.
     */
    public boolean add(DomainName domain, Map<String, Object> wishes) {
        Map<String, AttributeValue> item = new java.util.LinkedHashMap<>(key(domain));
        wishes.forEach((k, v) -> item.put(k, Items.toAttribute(v)));
        try {
            call(() -> client.putItem(r -> r.tableName(table).item(item)
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

    /**
     * The last step of a removal: deletes the row if its removal is still requested; true too when the row is gone
     * already (deleted directly). False when the removal was withdrawn.
     */
    public boolean deleteRemoved(DomainName domain) {
        try {
            call(() -> client.deleteItem(r -> r.tableName(table).key(key(domain))
                    .conditionExpression("attribute_not_exists(#d) OR attribute_exists(#r)")
                    .expressionAttributeNames(Map.of("#d", DomainRow.DOMAIN, "#r", DomainRow.REMOVE_REQUESTED))));
            return true;
        } catch (ConditionalCheckFailedException withdrawn) {
            return false;
        }
    }

    /**
     * Removes what an earlier version kept on the row ({@code lifecycle}, {@code check}) once the stack's state table
     * holds it: nothing on a row is the stack's any more.
     */
    public void forgetLegacy(DomainName domain) {
        try {
            call(() -> client.updateItem(r -> r.tableName(table).key(key(domain))
                    .updateExpression("REMOVE #lc, #c").conditionExpression("attribute_exists(#d)")
                    .expressionAttributeNames(Map.of("#lc", Lifecycle.ATTRIBUTE, "#c", StateStore.CHECK,
                            "#d", DomainRow.DOMAIN))));
        } catch (ConditionalCheckFailedException gone) {
            // deleted meanwhile: nothing to forget
        }
    }

    /**
     * {@code domain move-mx}: writes the policy and the move's wish together. False when a move is under way already
     * (the row carries a wish), or there is no row.
     */
    public boolean startMove(DomainRow row, Map<String, Object> wish) {
        Map<String, AttributeValue> values = new java.util.HashMap<>(policyValues(row));
        values.put(":w", Items.toAttribute(wish));
        try {
            call(() -> client.updateItem(r -> r.tableName(table).key(key(row.domain()))
                    .updateExpression("SET #mode = :mode, #mx = :mx, #max_age = :max_age, #w = :w")
                    .conditionExpression("attribute_exists(#d) AND attribute_not_exists(#w)")
                    .expressionAttributeNames(Map.of("#d", DomainRow.DOMAIN, "#mode", DomainRow.MODE,
                            "#mx", DomainRow.MX, "#max_age", DomainRow.MAX_AGE, "#w", DomainRow.MX_MOVE))
                    .expressionAttributeValues(values)));
            return true;
        } catch (ConditionalCheckFailedException taken) {
            return false;
        }
    }

    /**
     * {@code domain move-mx --cancel}: the policy's patterns back to {@code before}, the wish gone, in one write.
     * False when the row no longer carries this move ({@code asked}).
     */
    public boolean cancelMove(DomainName domain, String asked, List<String> before) {
        try {
            call(() -> client.updateItem(r -> r.tableName(table).key(key(domain))
                    .updateExpression("SET #mx = :mx REMOVE #w")
                    .conditionExpression("#w.#asked = :asked")
                    .expressionAttributeNames(Map.of("#mx", DomainRow.MX, "#w", DomainRow.MX_MOVE, "#asked", "asked"))
                    .expressionAttributeValues(Map.of(":mx", strings(before), ":asked", AttributeValue.fromS(asked)))));
            return true;
        } catch (ConditionalCheckFailedException gone) {
            return false;
        }
    }

    /**
     * The stack's change of a row's patterns (an MX move dropping the old hosts, a seeded policy following the zone's
     * MX records): written only while the row still holds {@code expected}, so that whatever the user wrote meanwhile
     * wins. False when it does not.
     */
    public boolean replaceMx(DomainName domain, List<String> expected, List<String> mx) {
        try {
            call(() -> client.updateItem(r -> r.tableName(table).key(key(domain))
                    .updateExpression("SET #mx = :mx")
                    .conditionExpression("#mx = :expected")
                    .expressionAttributeNames(Map.of("#mx", DomainRow.MX))
                    .expressionAttributeValues(Map.of(":mx", strings(mx), ":expected", strings(expected)))));
            return true;
        } catch (ConditionalCheckFailedException changed) {
            return false;
        }
    }

    /** Takes a move's wish off the row once the move is over; nothing when the row carries another one (or none). */
    public void clearMove(DomainName domain, String asked) {
        try {
            call(() -> client.updateItem(r -> r.tableName(table).key(key(domain))
                    .updateExpression("REMOVE #w")
                    .conditionExpression("#w.#asked = :asked")
                    .expressionAttributeNames(Map.of("#w", DomainRow.MX_MOVE, "#asked", "asked"))
                    .expressionAttributeValues(Map.of(":asked", AttributeValue.fromS(asked)))));
        } catch (ConditionalCheckFailedException other) {
            // a new move (or none) is on the row: not this one's to clear
        }
    }

    private static AttributeValue strings(List<String> values) {
        return AttributeValue.fromL(values.stream().map(AttributeValue::fromS).toList());
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

    /**
     * Every row, as plain values, sorted by domain; with a state table, each with the stack's state of the domain in
     * it ({@link DomainView#merged}).
     */
    public List<Map<String, Object>> list() {
        return state == null ? rows() : views().stream().filter(v -> !v.rowDeleted()).map(DomainView::merged).toList();
    }

    private List<Map<String, Object>> rows() {
        List<Map<String, Object>> out = new ArrayList<>();
        call(() -> {
            client.scanPaginator(r -> r.tableName(table).consistentRead(true)).items()
                    .forEach(i -> out.add(Items.toPlain(i)));
            return null;
        });
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
