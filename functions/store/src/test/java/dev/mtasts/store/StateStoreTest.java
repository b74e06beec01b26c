package dev.mtasts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtasts.core.DomainName;
import dev.mtasts.core.Lifecycle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The stack's state table beside the domains table, on DynamoDB Local: leases, the move of old rows, both read as one. */
class StateStoreTest {
    private static DynamoDbClient client;
    private DomainStore store;
    private StateStore state;
    private final DomainName domain = name("example.com");
    private final Instant now = Instant.parse("2026-12-01T10:00:00Z");

    @BeforeAll
    static void start() {
        client = LocalTables.client();
    }

    @BeforeEach
    void freshTables() {
        long id = System.nanoTime();
        store = new DomainStore(client, "t" + id + "-domains").withState(StateStore.beside("t" + id + "-domains"));
        state = store.state();
        store.createTable();
        state.createTable();
    }

    static DomainName name(String d) {
        try {
            return DomainName.parse(d);
        } catch (dev.mtasts.core.InvalidException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void theStateTableIsNamedAsTheTemplateNamesIt() {
        assertEquals("mta-sts-state", StateStore.beside("mta-sts-domains"));
        assertEquals("mail-state", StateStore.beside("mail-domains"));
        assertEquals("custom-state", StateStore.beside("custom"));
    }

    /** One run at a time: a lease is granted to one owner, taken over once it expires, and only its holder writes. */
    @Test
    void oneOwnerAtATime() {
        Lifecycle.Lease a = new Lifecycle.Lease("a", now.plus(Duration.ofMinutes(3)));
        Lifecycle.Lease b = new Lifecycle.Lease("b", now.plus(Duration.ofMinutes(3)));
        assertTrue(state.acquire(domain, Lifecycle.start(now), a, now).isPresent(), "new: created with the lease");
        assertTrue(state.acquire(domain, Lifecycle.start(now), b, now).isEmpty(), "held by a");
        assertTrue(state.acquire(domain, Lifecycle.start(now), a, now).isPresent(), "a again");
        Instant later = now.plus(Duration.ofMinutes(4));
        Lifecycle.Lease b2 = new Lifecycle.Lease("b", later.plus(Duration.ofMinutes(3)));
        assertEquals("b", state.acquire(domain, Lifecycle.start(now), b2, later).orElseThrow().lease().owner(),
                "an expired lease is taken over");
        assertFalse(state.save(domain, Lifecycle.start(now).withLease(a), "a"), "a lost it");
        assertFalse(state.removed(domain, "a", now));
        assertTrue(state.save(domain, Lifecycle.start(now).withZone("Z1", "example.com").withLease(b2), "b"));
        assertEquals("Z1", state.find(domain).orElseThrow().zoneId());
        state.release(domain, "b");
        assertNull(state.find(domain).orElseThrow().lease());
        assertTrue(state.acquire(domain, Lifecycle.start(now), a, now).isPresent());
        assertTrue(state.removed(domain, "a", now));
        assertTrue(state.find(domain).isEmpty());
    }

    /**
     * The local stack starting on kept tables: the last run's leases went with its process, so its state is written
     * whoever held the lease, what the daily check found is kept, and a domain without state gets none.
     */
    @Test
    void aRestartWritesTheStateWhateverLeaseTheLastRunLeft() {
        Lifecycle.Lease gone = new Lifecycle.Lease("last-run", now.plus(Duration.ofMinutes(3)));
        assertTrue(state.acquire(domain, Lifecycle.start(now).withZone("Z1", "example.com"), gone, now).isPresent());
        state.recordCheck(domain, Map.of("ok", true));
        state.restart(domain.value(), Lifecycle.start(now).withZone(null, null));
        Lifecycle after = state.find(domain).orElseThrow();
        assertNull(after.lease(), "the dead run's lease is gone");
        assertNull(after.zoneId());
        assertEquals(Map.of("ok", true), state.item(domain.value()).orElseThrow().get(StateStore.CHECK));
        assertTrue(state.acquire(domain, Lifecycle.start(now), new Lifecycle.Lease("this-run", now.plusSeconds(60)), now)
                .isPresent(), "this run takes it at once");
        state.restart("other.example", Lifecycle.start(now));
        assertTrue(state.find(name("other.example")).isEmpty(), "no state made");
        assertTrue(state.removed(domain, "this-run", now));
        state.restart(domain.value(), Lifecycle.start(now));
        assertTrue(state.find(domain).isEmpty(), "a removed domain stays removed");
        assertTrue(state.removedAt(domain.value()).isPresent());
    }

    /**
     * The end of a removal leaves only its time: read as no state at all (no view, not listed, a fresh start when the
     * domain is added again, or marked by the local stack), yet {@code domain get} can say it was removed.
     */
    @Test
    void aRemovedDomainIsRememberedOnlyAsRemoved() {
        Lifecycle.Lease a = new Lifecycle.Lease("a", now.plus(Duration.ofMinutes(3)));
        state.acquire(domain, Lifecycle.start(now).withZone("Z1", "example.com"), a, now);
        assertTrue(state.removed(domain, "a", now.plusMillis(1500)));
        assertEquals(java.util.Optional.of(now.plusSeconds(1)), state.removedAt("example.com"));
        assertTrue(state.find(domain).isEmpty());
        assertTrue(store.view("example.com").isEmpty());
        assertTrue(store.views().isEmpty());

        store.add(domain); // added again: the row, and the state's item taken for a fresh start
        assertEquals(List.of("example.com"), store.views().stream().map(DomainView::key).toList());
        assertNull(store.view("example.com").orElseThrow().lifecycle(), "nothing of the stack's yet");
        Lifecycle fresh = state.acquire(domain, Lifecycle.start(now), a, now).orElseThrow();
        assertNull(fresh.zoneId());
        assertTrue(state.removedAt("example.com").isEmpty());

        state.removed(domain, "a", now);
        state.markLocal("example.com", Lifecycle.local(now));
        assertEquals(Lifecycle.Step.LOCAL, state.find(domain).orElseThrow().step());
    }

    /** A row of the earlier version: its state moves once; what the state table holds already wins. */
    @Test
    void theStateOfAnEarlierRowIsAdoptedOnce() {
        Lifecycle old = Lifecycle.start(now).withZone("OLD", "example.com")
                .withLease(new Lifecycle.Lease("gone", now.plusSeconds(60)));
        assertTrue(state.adopt(domain, old, Map.of("status", "ok")));
        assertNull(state.find(domain).orElseThrow().lease(), "no run of this version holds it");
        assertEquals("OLD", state.find(domain).orElseThrow().zoneId());
        assertFalse(state.adopt(domain, Lifecycle.start(now).withZone("OTHER", "x"), null));
        assertEquals("OLD", state.find(domain).orElseThrow().zoneId());
    }

    /** One request reads both; the row's own lifecycle is never what a reader of the domain sees once there is state. */
    @Test
    void aDomainIsReadFromBothTables() {
        assertTrue(store.view("example.com").isEmpty());
        store.putItem(Map.of("domain", "example.com", "mode", "testing", "mx", List.of("mail.example.com"),
                "max_age", java.math.BigDecimal.valueOf(86400), "lifecycle", Map.of("step", "ready", "detail", "forged")));
        DomainView legacy = store.view("example.com").orElseThrow();
        assertNull(legacy.lifecycle(), "no state yet: a row's lifecycle is believed only for an announcement it carries");
        dev.mtasts.core.Policy p;
        try {
            p = dev.mtasts.core.Policy.parse("version: STSv1\nmode: testing\nmx: mail.example.com\nmax_age: 86400\n");
        } catch (dev.mtasts.core.InvalidException e) {
            throw new AssertionError(e);
        }
        store.putItem(Map.of("domain", "example.com", "mode", "testing", "mx", List.of("mail.example.com"),
                "max_age", java.math.BigDecimal.valueOf(86400), "lifecycle", Map.of("step", "ready", "detail", "forged",
                        "announced", Map.of("id", p.id(), "policy", p.render()))));
        assertEquals(p.id(), store.view("example.com").orElseThrow().lifecycle().announced().id(),
                "a valid policy under its own id: served until the move");
        store.putItem(Map.of("domain", "example.com", "mode", "testing", "mx", List.of("mail.example.com"),
                "max_age", java.math.BigDecimal.valueOf(86400), "lifecycle", Map.of("step", "ready", "detail", "forged")));

        state.adopt(domain, Lifecycle.start(now), null);
        DomainView both = store.view("example.com").orElseThrow();
        assertEquals("zone", both.lifecycle().step().text());
        assertEquals("zone", Lifecycle.of(store.list().get(0)).step().text(), "list gives the state's, not the row's");
        assertEquals(Map.of("step", "ready", "detail", "forged"), store.find(domain).orElseThrow().get("lifecycle"),
                "the row itself is left as the user wrote it");

        store.delete(domain);
        DomainView deleted = store.view("example.com").orElseThrow();
        assertTrue(deleted.rowDeleted());
        assertEquals(List.of("example.com"), store.views().stream().map(DomainView::key).toList());
        assertTrue(store.list().isEmpty(), "list gives rows only");
        assertTrue(store.deleteRemoved(domain), "the last step of a removal: the row is gone already");
    }
}
