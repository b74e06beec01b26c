package dev.mtasts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Mode;
import dev.mtasts.core.MxPattern;
import dev.mtasts.core.Policy;
import dev.mtasts.emulators.LocalDynamoDb;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The domains table on a real DynamoDB (DynamoDB Local over HTTP). */
class DomainStoreTest {
    private static LocalDynamoDb dynamo;
    private static DynamoDbClient client;
    private DomainStore store;

    @BeforeAll
    static void start() {
        dynamo = LocalDynamoDb.start();
        client = Dynamo.create(dynamo.endpoint(), null);
    }

    @AfterAll
    static void stop() {
        client.close();
        dynamo.close();
    }

    @BeforeEach
    void freshTable() {
        store = new DomainStore(client, "domains-" + System.nanoTime());
        store.createTable();
    }

    private static DomainRow row(String domain, Mode mode, long maxAge, String... mx) throws InvalidException {
        return new DomainRow(DomainName.parse(domain),
                new Policy(mode, List.of(mx).stream().map(MxPattern::new).toList(), maxAge));
    }

    @Test
    void aRowPutIsTheRowFound() throws Exception {
        DomainRow row = row("example.com", Mode.ENFORCE, 604800, "mail.example.com", "*.example.net");
        store.put(row);
        Map<String, Object> item = store.find(row.domain()).orElseThrow();
        assertEquals(Map.of("domain", "example.com", "mode", "enforce",
                "mx", List.of("mail.example.com", "*.example.net"), "max_age", new BigDecimal(604800)), item);
        assertEquals(row, DomainRow.parse(item));
    }

    @Test
    void putReplacesThePolicyAndKeepsOtherAttributes() throws Exception {
        client.putItem(r -> r.tableName(store.table()).item(Map.of(
                "domain", AttributeValue.fromS("example.com"),
                "mode", AttributeValue.fromS("testing"),
                "mx", AttributeValue.fromL(List.of(AttributeValue.fromS("old.example.com"))),
                "max_age", AttributeValue.fromN("86400"),
                "note", AttributeValue.fromS("kept"))));
        store.put(row("example.com", Mode.ENFORCE, 604800, "mail.example.com"));
        Map<String, Object> item = store.find(DomainName.parse("example.com")).orElseThrow();
        assertEquals("enforce", item.get("mode"));
        assertEquals(List.of("mail.example.com"), item.get("mx"));
        assertEquals("kept", item.get("note"));
    }

    @Test
    void aMissingRowIsEmpty() throws Exception {
        assertTrue(store.find(DomainName.parse("nowhere.example")).isEmpty());
    }

    @Test
    void invalidItemsAreStoredAsTheyAreAndReadBack() throws Exception {
        Map<String, Object> raw = Map.of("domain", "broken.example", "mode", "Enforce", "max_age", "week");
        store.putItem(raw);
        assertEquals(raw, store.find(DomainName.parse("broken.example")).orElseThrow());
    }

    @Test
    void listIsSortedAndPaginated() throws Exception {
        for (int i = 30; i > 0; i--) {
            store.put(row("d" + i + ".example", Mode.TESTING, 86400, "mx.example.net"));
        }
        List<String> domains = store.list().stream().map(i -> (String) i.get("domain")).toList();
        assertEquals(30, domains.size());
        assertEquals(domains.stream().sorted().toList(), domains);
    }

    @Test
    void deleteSaysWhetherThereWasARow() throws Exception {
        store.put(row("example.com", Mode.NONE, 86400));
        assertTrue(store.delete(DomainName.parse("example.com")));
        assertFalse(store.delete(DomainName.parse("example.com")));
        assertTrue(store.find(DomainName.parse("example.com")).isEmpty());
    }

    @Test
    void createTableTwiceIsHarmless() {
        store.createTable();
        assertTrue(store.list().isEmpty());
    }

    @Test
    void anUnreachableDynamoDbIsUnavailableNotABug() throws Exception {
        try (DynamoDbClient dead = Dynamo.create(LocalDynamoDb.unreachableEndpoint(), null)) {
            DomainStore unreachable = new DomainStore(dead, "domains");
            assertThrows(StoreUnavailableException.class, () -> unreachable.find(DomainName.parse("example.com")));
        }
    }
}
