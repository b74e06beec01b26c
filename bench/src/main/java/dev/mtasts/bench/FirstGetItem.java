package dev.mtasts.bench;

import dev.mtasts.store.Dynamo;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * The baseline: a fresh JVM builds the same SDK client as the policy function and performs the same read, one
 * BatchGetItem of the domain's row and of the stack's state of it, both strongly consistent.
 */
public final class FirstGetItem {
    public static void main(String[] args) {
        DynamoDbClient client = Dynamo.fromEnvironment();
        KeysAndAttributes key = KeysAndAttributes.builder().consistentRead(true)
                .keys(Map.of("domain", AttributeValue.fromS("example.com"))).build();
        var rows = client.batchGetItem(r -> r.requestItems(Map.of(System.getenv("DOMAINS_TABLE"), key,
                System.getenv("STATE_TABLE"), key))).responses().get(System.getenv("DOMAINS_TABLE"));
        System.out.println("status=" + (rows == null || rows.isEmpty() ? 404 : 200));
    }
}
