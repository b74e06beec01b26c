package dev.mtasts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Policy;
import dev.mtasts.emulators.LocalDynamoDb;
import dev.mtasts.store.DomainStore;
import dev.mtasts.store.Dynamo;
import dev.mtasts.store.StateStore;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code domain get} and {@code domain list} read the row and the stack's state, and say what senders get: the
 * announced policy while a row is replaced, broken or deleted.
 */
class DomainStateCliTest {
    static LocalDynamoDb dynamo;
    static String ddb;
    static Policy announced;

    @BeforeAll
    static void start() throws Exception {
        dynamo = LocalDynamoDb.start();
        ddb = dynamo.endpoint().toString();
        DomainStore store = new DomainStore(Dynamo.create(dynamo.endpoint(), null), DomainStore.DEFAULT_TABLE)
                .withState(StateStore.DEFAULT_TABLE);
        store.createTable();
        store.state().createTable();
        announced = Policy.of("enforce", List.of("mail.example.com", "backup.example.com"), "604800");
        Lifecycle ready = Lifecycle.start(Instant.parse("2026-12-01T10:00:00Z"))
                .at(Lifecycle.Step.READY, "served on its own certificate and announced (id " + announced.id() + ")",
                        Instant.parse("2026-12-01T10:00:00Z"))
                .withAccepted(announced.id()).withAnnounced(new Lifecycle.Announced(announced.id(), announced.render()));
        // a put-item replaced the row with an enforce policy the stack has not checked yet
        store.putItem(Map.of("domain", "replaced.example", "mode", "enforce", "mx", List.of("mail.example.com"),
                "max_age", BigDecimal.valueOf(604800)));
        store.state().adopt(DomainName.parse("replaced.example"), ready, null);
        // the row was deleted directly; the stack has not withdrawn _mta-sts yet
        store.state().adopt(DomainName.parse("deleted.example"), ready, null);
    }

    @AfterAll
    static void stop() {
        dynamo.close();
    }

    @Test
    void aReplacedRowShowsThePolicySendersGetAndWhy() {
        Cli get = Cli.run("domain", "get", "replaced.example", "--endpoint-url", ddb);
        assertEquals(0, get.exit(), get.err());
        assertTrue(get.out().contains("lifecycle: decide — the policy changed (id "), get.out());
        assertTrue(get.out().contains("served now, the announced policy (id " + announced.id() + "), until the row's "
                + "passes the MX check:"), get.out());
        assertTrue(get.out().contains("mx: backup.example.com"), get.out());
    }

    @Test
    void aDeletedRowIsShownUntilTheStackHasTakenItDown() {
        Cli get = Cli.run("domain", "get", "deleted.example", "--endpoint-url", ddb);
        assertEquals(1, get.exit(), "no row");
        assertTrue(get.out().startsWith("deleted.example: the row is deleted; the stack takes down what it made for it"),
                get.out());
        assertTrue(get.out().contains("lifecycle: withdraw-announcement — the row was deleted: removing _mta-sts"),
                get.out());
        assertTrue(get.out().contains("served now, the announced policy (id " + announced.id() + "), until _mta-sts is "
                + "withdrawn:"), get.out());
        Cli json = Cli.run("domain", "get", "deleted.example", "--json", "--endpoint-url", ddb);
        assertTrue(json.out().contains("\"row_deleted\":true") && json.out().contains("\"served_id\":\"" + announced.id()),
                json.out());

        Cli list = Cli.run("domain", "list", "--endpoint-url", ddb);
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("deleted.example ")
                && l.contains("(row deleted: the stack takes down what it made for it)")), list.out());
        Cli remove = Cli.run("domain", "remove", "deleted.example", "--endpoint-url", ddb);
        assertEquals(1, remove.exit());
        assertTrue(remove.err().contains("is deleted already"), remove.err());
        assertFalse(Cli.run("domain", "retire", "deleted.example", "--endpoint-url", ddb).exit() == 0);
    }
}
