package dev.mtasts.lifecycle;

import static dev.mtasts.store.Logs.log;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.DomainRow;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Lifecycle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The domains table's stream: a domain whose row appeared, or whose policy or wishes changed, is advanced at once;
 * changes to anything else on a row are skipped. A row deleted (directly, or by the lifecycle's own last step) is a
 * trigger too: what the stack made for it is taken down, as the stack's state table records it; the deleted row's
 * last image matters only when it was written by an earlier version and carries that version's state.
 */
public final class LifecycleStreamHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {
    /** The attributes a user writes; anything else on a row is the stack's. */
    static final List<String> USER_ATTRIBUTES = List.of(DomainRow.MODE, DomainRow.MX, DomainRow.MAX_AGE,
            DomainRow.TAKE_OVER, DomainRow.REMOVE_REQUESTED, DomainRow.MX_MOVE);

    private final Runner runner;

    public LifecycleStreamHandler() {
        this(new Runner(LifecycleSettings.lifecycle(System.getenv())));
    }

    public LifecycleStreamHandler(Runner runner) {
        this.runner = runner;
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        Map<String, List<String>> advance = new LinkedHashMap<>();
        Map<String, Map<String, AttributeValue>> deleted = new LinkedHashMap<>();
        for (DynamodbEvent.DynamodbStreamRecord record : event.getRecords()) {
            var change = record.getDynamodb();
            AttributeValue key = change.getKeys() == null ? null : change.getKeys().get(DomainRow.DOMAIN);
            if (key == null || key.getS() == null) {
                continue;
            }
            String name = record.getEventName();
            if ("REMOVE".equals(name)) {
                if (change.getOldImage() != null && change.getOldImage().containsKey(Lifecycle.ATTRIBUTE)) {
                    deleted.put(key.getS(), change.getOldImage());
                }
                advance.computeIfAbsent(key.getS(), d -> new ArrayList<>()).add(change.getSequenceNumber());
            } else if (matters(name, change.getOldImage(), change.getNewImage())) {
                advance.computeIfAbsent(key.getS(), d -> new ArrayList<>()).add(change.getSequenceNumber());
                deleted.remove(key.getS());
            }
        }
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        List<DomainName> domains = new ArrayList<>();
        for (String d : advance.keySet()) {
            parse(d, context).ifPresent(domains::add);
        }
        deleted.forEach((d, image) -> parse(d, context).ifPresent(domain ->
                runner.lifecycle().adoptDeleted(domain, StreamImages.toPlain(image))));
        runner.advanceAll(domains, context).forEach((domain, failed) -> {
            if (failed) {
                advance.get(domain.value()).forEach(seq -> failures.add(new StreamsEventResponse.BatchItemFailure(seq)));
            }
        });
        return new StreamsEventResponse(failures);
    }

    private static java.util.Optional<DomainName> parse(String d, Context context) {
        try {
            DomainName name = DomainName.parse(d);
            if (!name.value().equals(d)) {
                log(context, LogLevel.WARN, "row key \"" + d + "\" is not written as \"" + name + "\"; skipped");
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(name);
        } catch (InvalidException e) {
            log(context, LogLevel.WARN, "row key \"" + d + "\" is not a domain name; skipped");
            return java.util.Optional.empty();
        }
    }

    /** INSERT always; MODIFY when a user attribute changed (the rest of a row is nobody's business here). */
    static boolean matters(String eventName, Map<String, AttributeValue> before, Map<String, AttributeValue> after) {
        if ("INSERT".equals(eventName)) {
            return true;
        }
        if (!"MODIFY".equals(eventName)) {
            return false;
        }
        for (String attribute : USER_ATTRIBUTES) {
            if (!Objects.equals(StreamImages.comparable(get(before, attribute)), StreamImages.comparable(get(after, attribute)))) {
                return true;
            }
        }
        return false;
    }

    private static AttributeValue get(Map<String, AttributeValue> image, String name) {
        return image == null ? null : image.get(name);
    }
}
