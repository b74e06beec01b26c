package dev.mtasts.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.mtasts.core.DomainName;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/** The domains table's stream on DynamoDB Local, read as Lambda's event source mapping reads it. */
class LocalStreamTest {
    /**
     * {@code serve} with an empty domains file (or none) starts on an empty table: the first domain added later is
     * handed to the lifecycle all the same.
     */
    @Test
    void aRowWrittenAfterTheStreamStartedOnAnEmptyTableIsHandedOver() throws Exception {
        try (LocalDynamoDb db = LocalDynamoDb.start();
                DynamoDbClient dynamo = Dynamo.create(db.endpoint(), null);
                DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder()
                        .httpClient(UrlConnectionHttpClient.create()).region(Dynamo.LOCAL_REGION)
                        .credentialsProvider(Dynamo.localCredentials()).endpointOverride(db.endpoint()).build()) {
            DomainStore store = new DomainStore(dynamo, DomainStore.DEFAULT_TABLE);
            store.createTable();
            // as serve has it: the reports table, with a stream of its own, beside the domains table
            new dev.mtasts.store.ReportStore(dynamo, dev.mtasts.store.ReportStore.DEFAULT_TABLE,
                    java.time.Duration.ofDays(1)).createTable();
            BlockingQueue<DynamodbEvent.DynamodbStreamRecord> seen = new LinkedBlockingQueue<>();
            try (LocalStream stream = new LocalStream(dynamo, streams, store.table(),
                    event -> seen.addAll(event.getRecords())).start()) {
                Thread.sleep(1500); // the stream is read while the table is still empty
                store.add(DomainName.parse("first.example"));
                DynamodbEvent.DynamodbStreamRecord r = seen.poll(15, TimeUnit.SECONDS);
                assertEquals("first.example", r == null ? null : r.getDynamodb().getKeys().get("domain").getS());
                store.add(DomainName.parse("second.example"));
                r = seen.poll(15, TimeUnit.SECONDS);
                assertEquals("second.example", r == null ? null : r.getDynamodb().getKeys().get("domain").getS());
            }
        }
    }
}
