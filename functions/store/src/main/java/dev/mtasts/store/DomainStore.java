package dev.mtasts.store;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.MxPattern;
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

    /** Writes the policy attributes of a valid row; other attributes of an existing item are kept. */
    public void put(DomainRow row) {
        List<AttributeValue> mx = new ArrayList<>();
        for (MxPattern p : row.policy().mx()) {
            mx.add(AttributeValue.fromS(p.value()));
        }
        call(() -> client.updateItem(r -> r.tableName(table)
                .key(key(row.domain()))
                .updateExpression("SET #mode = :mode, #mx = :mx, #max_age = :max_age")
                .expressionAttributeNames(Map.of(
                        "#mode", DomainRow.MODE, "#mx", DomainRow.MX, "#max_age", DomainRow.MAX_AGE))
                .expressionAttributeValues(Map.of(
                        ":mode", AttributeValue.fromS(row.policy().mode().text()),
                        ":mx", AttributeValue.fromL(mx),
                        ":max_age", AttributeValue.fromN(Long.toString(row.policy().maxAge()))))));
    }

    /**
     * Records what the DNS side did for a row that still exists: status, the id now published and, when it
     * published one, the policy body that id announces; and when.
     */
    public void recordDns(DomainName domain, String status, String publishedId, String publishedPolicy,
            java.time.Instant at) {
        Map<String, AttributeValue> values = new java.util.HashMap<>(Map.of(
                ":s", AttributeValue.fromS(status), ":t", AttributeValue.fromS(at.toString())));
        String set = "SET dns_status = :s, dns_checked = :t";
        if (publishedId != null) {
            values.put(":i", AttributeValue.fromS(publishedId));
            set += ", dns_id = :i";
        }
        if (publishedPolicy != null) {
            values.put(":p", AttributeValue.fromS(publishedPolicy));
            set += ", dns_policy = :p";
        }
        String expression = set;
        try {
            call(() -> client.updateItem(r -> r.tableName(table).key(key(domain))
                    .updateExpression(expression)
                    .conditionExpression("attribute_exists(#d)")
                    .expressionAttributeNames(Map.of("#d", DomainRow.DOMAIN))
                    .expressionAttributeValues(values)));
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            // the row was deleted meanwhile: nothing to record
        }
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
        } catch (ResourceInUseException e) {
            throw e;
        } catch (SdkClientException e) {
            if (isTransient(e)) {
                throw new StoreUnavailableException("DynamoDB unreachable: " + e.getMessage(), e);
            }
            throw e; // credentials, region, configuration: a bug to fix, not an outage to wait out
        } catch (DynamoDbException e) {
            if (e.isThrottlingException() || e.statusCode() >= 500) {
                throw new StoreUnavailableException("DynamoDB unavailable: " + e.getMessage(), e);
            }
            throw e;
        }
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
