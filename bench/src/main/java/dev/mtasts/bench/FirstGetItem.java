package dev.mtasts.bench;

import dev.mtasts.store.Dynamo;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The baseline: a fresh JVM builds the same SDK client as the policy function and performs the same GetItem. */
public final class FirstGetItem {
    public static void main(String[] args) {
        DynamoDbClient client = Dynamo.fromEnvironment();
        var item = client.getItem(r -> r.tableName(System.getenv("DOMAINS_TABLE")).consistentRead(true)
                .key(Map.of("domain", AttributeValue.fromS("example.com")))).item();
        System.out.println("status=" + (item.isEmpty() ? 404 : 200));
    }
}
