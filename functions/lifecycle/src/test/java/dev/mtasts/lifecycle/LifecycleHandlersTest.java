package dev.mtasts.lifecycle;

import static dev.mtasts.lifecycle.LifecycleStack.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.Lifecycle;
import dev.mtasts.core.Policy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle function's two triggers: the domains table's stream (a row added, its policy or wishes changed, or
 * deleted directly) and the schedule that resumes whatever is not at rest, up to 300 domains at once.
 */
class LifecycleHandlersTest {
    static LifecycleStack stack;
    static Runner runner;

    @BeforeAll
    static void start() throws IOException {
        stack = new LifecycleStack();
        runner = new Runner(stack.lifecycle, stack.clock);
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    static AttributeValue s(String v) {
        return new AttributeValue().withS(v);
    }

    static DynamodbEvent.DynamodbStreamRecord record(String name, String seq, Map<String, AttributeValue> oldImage,
            Map<String, AttributeValue> newImage) {
        DynamodbEvent.DynamodbStreamRecord r = new DynamodbEvent.DynamodbStreamRecord();
        r.setEventName(name);
        StreamRecord change = new StreamRecord();
        Map<String, AttributeValue> image = newImage != null ? newImage : oldImage;
        change.setKeys(Map.of("domain", image.get("domain")));
        change.setOldImage(oldImage);
        change.setNewImage(newImage);
        change.setSequenceNumber(seq);
        r.setDynamodb(change);
        return r;
    }

    static Map<String, AttributeValue> image(String domain, String mode, String... extra) {
        Map<String, AttributeValue> m = new HashMap<>(Map.of("domain", s(domain), "mode", s(mode),
                "mx", new AttributeValue().withL(List.of(s("mail." + domain))), "max_age", new AttributeValue().withN("86400")));
        for (int i = 0; i < extra.length; i += 2) {
            m.put(extra[i], s(extra[i + 1]));
        }
        return m;
    }

    static DynamodbEvent event(DynamodbEvent.DynamodbStreamRecord... records) {
        DynamodbEvent e = new DynamodbEvent();
        e.setRecords(List.of(records));
        return e;
    }

    /** Which stream records start the lifecycle: a table of cases. */
    @Test
    void onlyTheUsersChangesStartTheLifecycle() {
        Map<String, AttributeValue> testing = image("x.example", "testing");
        Map<String, AttributeValue> withProgress = new HashMap<>(testing);
        withProgress.put(Lifecycle.ATTRIBUTE, new AttributeValue().withM(Map.of("step", s("ready"))));
        Map<String, AttributeValue> progressed = new HashMap<>(testing);
        progressed.put(Lifecycle.ATTRIBUTE, new AttributeValue().withM(Map.of("step", s("certificate"))));
        Map<String, AttributeValue> number = new HashMap<>(testing);
        number.put("max_age", new AttributeValue().withN("86400.0"));
        Object[][] cases = {
            {"a new row", "INSERT", null, testing, true},
            {"the policy changed", "MODIFY", testing, image("x.example", "enforce"), true},
            {"take-over asked for", "MODIFY", testing, image("x.example", "testing", "take_over", "x"), true},
            {"removal asked for", "MODIFY", testing, image("x.example", "testing", "remove_requested", "2026-12-01T00:00:00Z"), true},
            {"an earlier version's state moved off the row", "MODIFY", withProgress, testing, false},
            {"an earlier version's progress on the row", "MODIFY", withProgress, progressed, false},
            {"an attribute nobody reads", "MODIFY", testing, image("x.example", "testing", "note", "hi"), false},
            {"the same number written differently", "MODIFY", testing, number, false},
        };
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            boolean matters = LifecycleStreamHandler.matters((String) c[1], (Map<String, AttributeValue>) c[2],
                    (Map<String, AttributeValue>) c[3]);
            assertEquals(c[4], matters, (String) c[0]);
        }
    }

    @Test
    void anInsertProvisionsAndADirectDeleteRemovesWhatWasMade() throws Exception {
        String zone = stack.zone("stream.example", "mail.stream.example");
        stack.store.putItem(Map.of("domain", "stream.example"));
        LifecycleStreamHandler handler = new LifecycleStreamHandler(runner);
        var answer = handler.handleRequest(event(record("INSERT", "1", null, Map.of("domain", s("stream.example")))), null);
        assertTrue(answer.getBatchItemFailures().isEmpty());
        assertEquals("ready", stack.lifecycleOf("stream.example").state());
        assertFalse(stack.records(zone).isEmpty());

        // deleted with the aws CLI instead of mta-sts domain remove: the last image says what was made
        Map<String, Object> last = stack.store.find(name("stream.example")).orElseThrow();
        stack.store.delete(name("stream.example"));
        Map<String, AttributeValue> oldImage = StreamImagesTest.toStream(last);
        handler.handleRequest(event(record("REMOVE", "2", oldImage, null)), null);
        assertEquals(List.of("stream.example MX 10 mail.stream.example."), stack.records(zone),
                "only the user's MX record is left");
        assertTrue(stack.certificates("mta-sts.stream.example").isEmpty());
        assertFalse(stack.customDomainNames().contains("mta-sts.stream.example"));
    }

    /** 300 domains added at once, each in a zone of its own (as mail domains usually are), brought to ready by the schedule. */
    @Test
    void threeHundredDomainsAtOnceAllBecomeReady() throws Exception {
        List<String> domains = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String d = "bulk" + i + ".example";
            stack.zone(d, "mx." + d);
            domains.add(d);
        }
        for (String d : domains) {
            stack.store.add(name(d));
        }
        stack.takeCalls();
        LifecycleScheduleHandler schedule = new LifecycleScheduleHandler(stack.store, runner, stack.clock);
        long t0 = System.nanoTime();
        int ticks = 0;
        long ready;
        do {
            schedule.handleRequest(Map.of(), null);
            ticks++;
            ready = domains.stream().filter(d -> "ready".equals(stack.lifecycleOf(d).state())).count();
        } while (ready < domains.size() && ticks < 10);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Map<String, Integer> calls = stack.takeCalls();
        int total = calls.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("300 domains -> " + ready + " ready after " + ticks + " schedule run(s), " + ms + " ms; AWS requests "
                + calls + " = " + total + " (" + String.format("%.1f", total / 300.0) + " a domain)");
        assertEquals(domains.size(), ready);
        for (String d : List.of(domains.get(0), domains.get(299))) {
            Policy p = DomainRow.parse(stack.store.find(name(d)).orElseThrow()).policy();
            assertEquals(List.of("mx." + d), p.mx().stream().map(Object::toString).toList());
        }
        assertTrue(schedule.handleRequest(Map.of(), null).contains(" 0 advanced"), "then nothing is due");
    }
}
