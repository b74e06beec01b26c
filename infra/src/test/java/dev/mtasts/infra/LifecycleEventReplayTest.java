package dev.mtasts.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import dev.mtasts.cli.DomainsFile;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.lifecycle.LifecycleScheduleHandler;
import dev.mtasts.lifecycle.LifecycleStack;
import dev.mtasts.lifecycle.LifecycleStreamHandler;
import dev.mtasts.lifecycle.Runner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code sam local invoke LifecycleFunction|LifecycleScheduleFunction -e infra/events/lifecycle-…}: each event, read
 * by the Lambda runtime's serialiser, through the handler, on DynamoDB Local seeded from {@code infra/local/domains.json}
 * as {@code mta-sts serve} seeds it and moto_server with the sample domains' zones.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LifecycleEventReplayTest {
    static final Path EVENTS = Path.of("events");
    static LifecycleStack stack;
    static LifecycleStreamHandler onStream;
    static LifecycleScheduleHandler onSchedule;

    @BeforeAll
    static void start() throws IOException {
        stack = new LifecycleStack();
        stack.zone("example.com", "mail.example.com", "mx1.mx.example.net");
        stack.zone("example.org", "mx1.example.org", "mx2.example.org");
        stack.zone("retired.example", "mail.retired.example");
        stack.zone("example.net", "mail.example.net");
        DomainsFile.load(stack.store, DomainsFile.read(Path.of("local", "domains.json")), true);
        Runner runner = new Runner(stack.lifecycle, stack.clock);
        onStream = new LifecycleStreamHandler(runner);
        onSchedule = new LifecycleScheduleHandler(stack.store, runner, stack.clock);
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    static DynamodbEvent stream(String file) throws IOException {
        try (InputStream in = Files.newInputStream(EVENTS.resolve(file))) {
            return LambdaEventSerializers.serializerFor(DynamodbEvent.class, LifecycleEventReplayTest.class.getClassLoader())
                    .fromJson(in);
        }
    }

    @Test
    @Order(1)
    void theScheduleBringsEverySeededRowToReady() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> event;
        try (InputStream in = Files.newInputStream(EVENTS.resolve("lifecycle-schedule.json"))) {
            event = JacksonFactory.getInstance().getSerializer(Map.class).fromJson(in);
        }
        String summary = onSchedule.handleRequest(event, null);
        assertTrue(summary.startsWith("3 rows, 3 advanced"), summary);
        for (String d : List.of("example.com", "example.org", "retired.example")) {
            assertEquals("ready", stack.lifecycleOf(d).state(), d);
        }
    }

    /** The daily check, here asking a DNS server that knows none of the sample domains: each one fails, none is lost. */
    @Test
    @Order(2)
    void theDailyCheckLooksAtEveryAnnouncedDomain() throws Exception {
        try (dev.mtasts.sender.DnsServer empty = new dev.mtasts.sender.DnsServer()) {
            var sender = new dev.mtasts.sender.Sender(dev.mtasts.sender.Dns.server(empty.address(), java.time.Duration.ofSeconds(1)),
                    new dev.mtasts.sender.PolicyFetch(null, java.time.Duration.ofSeconds(1)), 443);
            var handler = new dev.mtasts.lifecycle.CheckScheduleHandler(new dev.mtasts.lifecycle.DailyCheck(stack.store,
                    new dev.mtasts.sender.DomainCheck(sender, null, stack.clock), new dev.mtasts.store.Emf(l -> { }, stack.clock),
                    null, stack.clock));
            Map<String, Object> event;
            try (InputStream in = Files.newInputStream(EVENTS.resolve("check-schedule.json"))) {
                event = JacksonFactory.getInstance().getSerializer(Map.class).fromJson(in);
            }
            assertEquals("3 domains checked, 3 failing, 0 alerts sent", handler.handleRequest(event, null));
            assertTrue(String.valueOf(stack.view("example.com").check()).contains("status=error"),
                    "kept in the stack's state");
        }
    }

    @Test
    @Order(3)
    void anInsertOfARowWithOnlyItsDomainProvisionsIt() throws IOException {
        stack.store.putItem(Map.of("domain", "example.net"));
        var answer = onStream.handleRequest(stream("lifecycle-stream-insert.json"), null);
        assertTrue(answer.getBatchItemFailures().isEmpty());
        assertEquals("ready", stack.lifecycleOf("example.net").state());
        assertEquals("testing", stack.store.find(LifecycleStack.name("example.net")).orElseThrow().get(DomainRow.MODE));
    }

    @Test
    @Order(4)
    void theLifecyclesOwnProgressIsSkipped() throws IOException {
        int before = stack.policyRequests.get();
        Lifecycle lc = stack.lifecycleOf("example.com");
        onStream.handleRequest(stream("lifecycle-stream-progress.json"), null);
        assertEquals(lc, stack.lifecycleOf("example.com"));
        assertEquals(before, stack.policyRequests.get(), "no live check");
    }

    @Test
    @Order(5)
    void aPolicyChangeIsCheckedLiveThenAnnounced() throws Exception {
        // the change the event reports, as the table holds it: the handler reads the row, not the image
        dev.mtasts.core.Policy changed = dev.mtasts.core.Policy.of("enforce", List.of("mail.example.com", "*.mx.example.net"), "1209600");
        stack.store.put(new DomainRow(LifecycleStack.name("example.com"), changed));
        int before = stack.policyRequests.get();
        onStream.handleRequest(stream("lifecycle-stream-modify.json"), null);
        assertEquals("ready", stack.lifecycleOf("example.com").state());
        assertEquals(changed.id(), stack.lifecycleOf("example.com").announced().id());
        assertEquals(before + 1, stack.policyRequests.get(), "one live check, before the id");
    }

    @Test
    @Order(6)
    void aRowDeletedDirectlyHasWhatTheStackMadeRemoved() throws IOException {
        stack.store.delete(LifecycleStack.name("example.com"));
        onStream.handleRequest(stream("lifecycle-stream-remove.json"), null);
        assertFalse(stack.customDomainNames().contains("mta-sts.example.com"));
        assertTrue(stack.certificates("mta-sts.example.com").isEmpty());
    }
}
