package dev.mtasts.store;

import dev.mtasts.emulators.LocalDynamoDb;
import java.time.Duration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** One DynamoDB Local for the store's tests, started on first use and stopped with the JVM; a fresh table a test. */
final class LocalTables {
    private static DynamoDbClient client;
    private static LocalDynamoDb dynamo;

    private LocalTables() {
    }

    static synchronized DynamoDbClient client() {
        if (client == null) {
            dynamo = LocalDynamoDb.start();
            client = Dynamo.create(dynamo.endpoint(), null);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                client.close();
                dynamo.close();
            }));
        }
        return client;
    }

    static synchronized java.net.URI endpoint() {
        client();
        return dynamo.endpoint();
    }

    /** A reports table of its own, as template.yaml makes it. */
    static ReportStore reports(String prefix) {
        ReportStore store = new ReportStore(client(), prefix + "-" + System.nanoTime(), Duration.ofDays(400));
        store.createTable();
        return store;
    }
}
